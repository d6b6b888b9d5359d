/**
 * EMV chip purchases (docs/SECURITY.md §1): verifyCryptogram reads field 55 of a purchase read
 * from the chip (inserted, or contactless chip), verifies the ARQC (tag 9F26) under the card's
 * keys, and hands the verdict and the ATC (9F36) to the card register's call (chip.lua decides on
 * them with the card's other rules). answerCryptogram, after the decision, puts the ARPC in tag 91
 * of the answer: only for an ARQC that verified, whatever the decision (its ARC or CSU says it).
 *
 * The ARQC covers field 55's own amount (9F02), currency (5F2A) and transaction type (9C), so
 * they must be the message's: 9F02 the amount of field 4, 5F2A the currency of field 49 (as
 * numbers), 9C the processing code's first two digits (EMV Book 3, 9C: "the first two digits of
 * the ISO 8583:1987 Processing Code"). A mismatch is a cryptogram that does not verify: a genuine
 * ARQC for 125.00 does not vouch for field 4 = 99999.00.
 *
 * A chip read without field 55 is handed on as 'missing': the card's decision (chip.lua) refuses
 * it as a cryptogram failure if the card has chip keys, since leaving out field 55 would otherwise
 * skip the check (a downgrade); it reads the card's record anyway, so that costs no lookup here. A
 * magstripe read of a chip card (fallback) is not a chip read and is not checked.
 *
 * Not checked: a card registered without chip keys (no PAN sequence number), a product without an
 * issuer master key (config register.issuerMasterKeys). Malformed field 55, an object the
 * cryptogram needs missing or of the wrong length, or a cryptogram version not supported: a
 * format error naming the tag.
 */
import type { Step } from '../pipeline.js';
import { type RequestContext, refuse } from '../context.js';
import { IccDataError, iccDataOf } from '../../messages/icc-data.js';
import { entryModeOf, panOf } from '../../messages/card-data.js';
import { luhnValid } from '../../card/luhn.js';
import type { CardRegister } from '../../card/card-register.js';
import { registerCall } from '../../redis/errors.js';
import { ACTION_CODES } from '../../messages/action-codes.js';
import { EmvCryptoError } from '../../crypto/emv/des.js';
import { deriveCardMasterKey } from '../../crypto/emv/keys.js';
import {
  type CryptogramVersion,
  arqcData,
  arqcMatches,
  cryptogramKey,
  cryptogramVersionOf,
  issuerAuthenticationData,
} from '../../crypto/emv/cryptogram.js';

export interface VerifyCryptogramDeps {
  register: Pick<CardRegister, 'chipCardOf'>;
  /** config register.issuerMasterKeys: per product, the IMK-AC in hex. */
  issuerMasterKeys: Readonly<Record<string, { ac?: string }>> | undefined;
  /** A register call slower than this is answered "register unavailable". */
  timeoutMs: number;
}

/** A primitive object of field 55 of a fixed length, or an EmvCryptoError naming its tag. */
function fixed(byTag: ReadonlyMap<string, Buffer>, tag: string, length: number): Buffer {
  const value = byTag.get(tag);
  if (value === undefined) throw new EmvCryptoError(`tag ${tag} missing`);
  if (value.length !== length) throw new EmvCryptoError(`tag ${tag}: length ${value.length}, not ${length}`);
  return value;
}

/**
 * What field 55 gives the check: the cryptogram version its IAD names, the ARQC, the ATC and the
 * data the ARQC is computed over; an EmvCryptoError naming the tag when it cannot.
 */
function cryptogramOf(byTag: ReadonlyMap<string, Buffer>) {
  const iad = byTag.get('9F10');
  if (iad === undefined) throw new EmvCryptoError('tag 9F10 missing');
  let version: CryptogramVersion;
  try {
    version = cryptogramVersionOf(iad);
  } catch (e) {
    throw new EmvCryptoError(`tag 9F10: ${(e as Error).message}`);
  }
  return { version, arqc: fixed(byTag, '9F26', 8), atc: fixed(byTag, '9F36', 2), data: arqcData(version, byTag) };
}

export function verifyCryptogram(deps: VerifyCryptogramDeps): Step {
  return {
    name: 'verifyCryptogram',
    async run(ctx) {
      const entry = entryModeOf(ctx.request, ctx.codes);
      if (entry !== 'chip' && !(entry === 'contactless' && isContactlessChip(ctx))) return;
      let icc;
      try {
        icc = iccDataOf(ctx.request);
      } catch (e) {
        if (e instanceof IccDataError) return refuse(ctx, 'formatError', e.message);
        throw e;
      }
      const pan = panOf(ctx.request);
      // A bad PAN is authorizeCard's to refuse.
      if (pan === undefined || !luhnValid(pan)) return;
      // Without field 55 the card's decision (chip.lua) refuses it if the card has chip keys: it
      // reads the card's record anyway, so no lookup here on that path.
      if (icc === undefined) {
        ctx.cryptogram = 'missing';
        return;
      }
      const card = await registerCall(deps.register.chipCardOf(pan), deps.timeoutMs);
      const imk = card === undefined ? undefined : deps.issuerMasterKeys?.[card.product]?.ac;
      if (card === undefined || imk === undefined) return;
      let found: ReturnType<typeof cryptogramOf>;
      try {
        found = cryptogramOf(icc.byTag);
      } catch (e) {
        if (e instanceof EmvCryptoError) return refuse(ctx, 'formatError', `field 55: ${e.message}`);
        throw e;
      }
      const { version, arqc, atc, data } = found;
      const key = cryptogramKey(version, deriveCardMasterKey(Buffer.from(imk, 'hex'), pan, card.panSequence), atc);
      const verified = matchesMessage(ctx, icc.byTag) && arqcMatches(version, key, data, arqc);
      ctx.cryptogram = {
        atc: atc.readUInt16BE(0),
        verified,
        ...(verified
          ? {
              issuerAuthentication: (approved, arc) => issuerAuthenticationData(version, key, arqc, { approved, arc }),
            }
          : {}),
      };
    },
  };
}

/**
 * Whether the objects the ARQC covers are the message's: 9F02 (n12) the amount of field 4, 5F2A
 * (n3) the currency of field 49, 9C the first two digits of field 3. arqcData has checked they are
 * present and of their lengths; validateFields that fields 3, 4 and 49 are.
 */
function matchesMessage(ctx: RequestContext, byTag: ReadonlyMap<string, Buffer>): boolean {
  const bcd = (tag: string) => byTag.get(tag)!.toString('hex');
  return (
    Number(bcd('9F02')) === Number(ctx.request[4]) &&
    Number(bcd('5F2A')) === Number(ctx.request[49]) &&
    bcd('9C') === String(ctx.request[3]).slice(0, 2)
  );
}

/** Contactless chip, not contactless stripe (which carries no cryptogram): 1993 position 7 'A', 1987 entry mode 07. */
function isContactlessChip(ctx: RequestContext): boolean {
  const pos = ctx.request[22] as string;
  return ctx.codes === 'iso93' ? pos[6] === 'A' : pos.startsWith('07');
}

/**
 * Tag 91 for an ARQC that verified: the ARPC for the decision. The ARC (method 1) is the
 * outcome's ISO 8583:1987 response code, '00' for an approval, in either code set: a card reads
 * 2 characters (EMV tag 8A); the CSU (method 2) says approved or not.
 */
export const answerCryptogram: Step = {
  name: 'answerCryptogram',
  final: true,
  run(ctx) {
    const answer = ctx.cryptogram === 'missing' ? undefined : ctx.cryptogram?.issuerAuthentication;
    if (answer === undefined) return;
    const outcome = ctx.outcome ?? 'systemMalfunction';
    ctx.iccAnswer.push({ tag: '91', value: answer(outcome === 'approved', ACTION_CODES[outcome].iso87) });
  },
};
