/**
 * Per MTI, as data read by the pipeline: which steps run, which fields the request must carry,
 * and which request fields the answer echoes. 1993 MTIs (1xxx) and 1987 MTIs (0xxx) are both
 * accepted on every listener; the action codes follow the listener's dialect.
 */
export interface Route {
  steps: string[];
  /** A missing one is a format error naming the field. */
  mandatory: number[];
  /** The request must identify the card: field 2 (PAN) or field 35 (track 2). */
  card: boolean;
  /** Request fields copied into the answer when present. */
  echo: number[];
  /**
   * A request without field `absent` takes `route` instead: one MTI, two messages told apart by a
   * field (a 1220 naming its original in field 56 is a completion, one without it an offline advice).
   */
  otherwise?: { absent: number; route: Route };
}

/** The fields a financial answer echoes (ISO 8583: what identifies the transaction to the terminal). */
export const FINANCIAL_ECHO = [2, 3, 4, 7, 11, 12, 32, 37, 41, 42, 49];

const financial: Route = {
  // reverseLostAnswer acts only for old terminals (DKT1, DKT1+, OEM), before the new request.
  steps: [
    'validateFields',
    'identifyTerminal',
    // Issuer scripts (docs/SECURITY.md §2): the results of scripts sent before, the card's queued ones in the answer.
    'recordScriptResults',
    'checkProcessingCode',
    'reverseLostAnswer',
    'verifyCryptogram',
    'authorizeCard',
    'decide',
    'answerCryptogram',
    'sendIssuerScripts',
    'respond',
    // The fraud monitoring, off the answer's path: queued, not awaited (docs/MONITORING.md).
    'watchTransaction',
  ],
  mandatory: [3, 4, 11, 12, 41, 49],
  card: true,
  echo: FINANCIAL_ECHO,
};

/** Completion and reversal advices name their original in field 56, echoed. */
const ADVICE_ECHO = [...FINANCIAL_ECHO, 24, 25, 56];

const completion: Route = {
  steps: ['validateFields', 'identifyTerminal', 'recordScriptResults', 'completeAuthorization', 'respond'],
  mandatory: [4, 11, 12, 41, 56],
  card: true,
  echo: ADVICE_ECHO,
};

/**
 * An offline advice (1220 / 0220 without field 56, repeat 1221 / 0221): a sale the terminal
 * approved offline below its floor limit, posted now (docs/PROTOCOL.md, "Offline advices"). Field
 * 38, the terminal's own approval code, is echoed.
 */
const offlineAdvice: Route = {
  steps: ['validateFields', 'identifyTerminal', 'recordScriptResults', 'postOfflineAdvice', 'respond'],
  mandatory: [3, 4, 11, 12, 41, 49],
  card: true,
  echo: [...FINANCIAL_ECHO, 24, 25, 38],
};

/** A 1220 / 0220 and its repeats: a completion when field 56 names the original, else an offline advice. */
const completionOrOfflineAdvice: Route = { ...completion, otherwise: { absent: 56, route: offlineAdvice } };

const reversal: Route = {
  steps: ['validateFields', 'identifyTerminal', 'recordScriptResults', 'reverseTransaction', 'respond'],
  mandatory: [4, 11, 12, 41, 56],
  card: true,
  echo: ADVICE_ECHO,
};

const networkManagement = (codeField: number): Route => ({
  steps: ['validateFields', 'identifyTerminal', 'networkManagement', 'respond'],
  mandatory: [7, 11, codeField],
  card: false,
  echo: [7, 11, 12, codeField, 32, 41],
});

export const ROUTES: Record<string, Route> = {
  '1100': financial, // authorization request (dual message)
  '0100': financial,
  '1200': financial, // financial request (single message)
  '0200': financial,
  '1201': financial, // repeat: answered as the first time when it repeats the original
  '0201': financial,
  '1220': completionOrOfflineAdvice, // completion advice (dual message) or offline advice, 1221 its repeat
  '1221': completionOrOfflineAdvice,
  '0220': completionOrOfflineAdvice,
  '0221': completionOrOfflineAdvice,
  '1420': reversal, // reversal advice (PSAM), 1421 its repeat
  '1421': reversal,
  '0420': reversal,
  '0421': reversal,
  '1804': networkManagement(24), // function code in field 24
  '0800': networkManagement(70), // network management information code in field 70
};

/** Any other request MTI: answered "invalid transaction". */
export const UNKNOWN_MTI: Route = {
  steps: ['rejectUnknownMti', 'respond'],
  mandatory: [],
  card: false,
  echo: FINANCIAL_ECHO,
};

/** Processing codes (field 3, first two digits) the switch handles. */
export const PROCESSING_CODES: Record<string, string> = { '00': 'purchase', '01': 'cash withdrawal', '20': 'refund' };

/** Network management: 1804 function codes (field 24) and 0800 codes (field 70). */
export const NETWORK_CODES: Record<string, Record<string, string>> = {
  '1804': { '801': 'sign-on', '802': 'sign-off', '831': 'echo' },
  '0800': { '001': 'sign-on', '002': 'sign-off', '301': 'echo' },
};
