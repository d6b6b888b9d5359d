/**
 * The dispute reasons ("indsigelsesårsager", 001 §28-32 and §33-44): who may give them, which of
 * the issuer's two credit accounts a case under them is credited to (001 §27), how much of a
 * transaction they return, and where the seed says so. The rules each reason checks are in
 * dispute-rules.ts; docs/DISPUTES.md restates both for issuers.
 */

/** The seed's four groups (001 §28); the fourth (series, edankort, vouchers) is not built. */
export type ReasonGroup = 'issuer' | 'thirdParty' | 'holder';

/** The issuer's accounts for credits (001 §27): one for insufficient funds, one for every other reason. */
export type AccountKind = 'insufficientFunds' | 'other';

/** What a reason returns: the part over the payment guarantee, the whole amount, or the difference the holder did not approve. */
export type ReturnRule = 'overGuarantee' | 'whole' | 'difference';

export interface ReasonSpec {
  group: ReasonGroup;
  /** The portal's short name in the seed (Danish). */
  portalName: string;
  account: AccountKind;
  returns: ReturnRule;
  /** The seed's sections for it (001). */
  sections: string;
  /** Third-party misuse that must be reported to the operator by the month's last bank day (001 §42; not remote sales). */
  misuseReport: boolean;
}

export const DISPUTE_REASONS = {
  insufficientFunds: {
    group: 'issuer',
    portalName: 'Mgl. dækning/beløb over bet.garanti',
    account: 'insufficientFunds',
    returns: 'overGuarantee',
    sections: '§29, §34',
    misuseReport: false,
  },
  lateInsufficientFunds: {
    group: 'issuer',
    portalName: 'For sent afregnet/mgl. dækning',
    account: 'insufficientFunds',
    returns: 'whole',
    sections: '§29, §35',
    misuseReport: false,
  },
  blockedAtPurchase: {
    group: 'issuer',
    portalName: 'Kortet spærret på købsdato/offline trx.',
    account: 'other',
    returns: 'whole',
    sections: '§29, §36',
    misuseReport: false,
  },
  thirdPartyPin: {
    group: 'thirdParty',
    portalName: 'Tredjemandsmisbrug PIN terminal',
    account: 'other',
    returns: 'overGuarantee',
    sections: '§30, §38',
    misuseReport: true,
  },
  thirdPartySignature: {
    group: 'thirdParty',
    portalName: 'Tredjemandsmisbrug signatur',
    account: 'other',
    returns: 'whole',
    sections: '§30, §39',
    misuseReport: true,
  },
  notaNotReceived: {
    group: 'thirdParty',
    portalName: 'Ej modt. nota med underskrift',
    account: 'other',
    returns: 'whole',
    sections: '§30, §39, §41',
    misuseReport: true,
  },
  thirdPartyRemote: {
    group: 'thirdParty',
    portalName: 'Tredjemandsmisbrug fjernsalg',
    account: 'other',
    returns: 'whole',
    sections: '§30, §40',
    misuseReport: false,
  },
  thirdPartyLate: {
    group: 'thirdParty',
    portalName: 'For sent afregnet/tredjemandsmisbrug',
    account: 'other',
    returns: 'whole',
    sections: '§30, §41',
    misuseReport: true,
  },
  subscriptionCancelled: {
    group: 'holder',
    portalName: 'Abonnement opsagt',
    account: 'other',
    returns: 'whole',
    sections: '§31, §43-44',
    misuseReport: false,
  },
  withdrawalRight: {
    group: 'holder',
    portalName: 'Fortrydelsesret udnyttet',
    account: 'other',
    returns: 'whole',
    sections: '§31, §43-44',
    misuseReport: false,
  },
  notDelivered: {
    group: 'holder',
    portalName: 'Varen/ydelsen ej leveret',
    account: 'other',
    returns: 'whole',
    sections: '§32, §43-44',
    misuseReport: false,
  },
  amountNotApproved: {
    group: 'holder',
    portalName: 'Kortholder ej godkendt hele beløbet',
    account: 'other',
    returns: 'difference',
    sections: '§32, §43-44',
    misuseReport: false,
  },
  duplicate: {
    group: 'holder',
    portalName: 'Dobbelt transaktion',
    account: 'other',
    returns: 'whole',
    sections: '§31, §43',
    misuseReport: false,
  },
} as const satisfies Record<string, ReasonSpec>;

export type DisputeReason = keyof typeof DISPUTE_REASONS;

export const DISPUTE_REASON_CODES = Object.keys(DISPUTE_REASONS) as DisputeReason[];

export function isDisputeReason(s: string): s is DisputeReason {
  return Object.hasOwn(DISPUTE_REASONS, s);
}
