/**
 * Guided test plans for terminal certification: a plan is data (src/certification/plans/*.json),
 * a list of cases a vendor's tester does on the real terminal while the console watches its
 * messages (docs/CONSOLE.md, "Guided test plans"). Each case names the card to use, the fault
 * rules the switch applies while it runs, and what the terminal's messages must show.
 */
import type { Outcome } from '../messages/action-codes.js';

/** What the terminal's messages must show; each is checked over the exchanges since the case started. */
export type CheckName =
  /** Every request unpacks to its end, has its MTI's mandatory fields (PROTOCOL.md §3.5), and is not answered format error. */
  | 'fieldsFormatted'
  /** No STAN used for two different messages; retransmissions and repeats reuse theirs, rightly. */
  | 'uniqueStans'
  /** A sign-on, accepted, before the first financial request of the case. */
  | 'signedOn'
  /** An approval whose answer the terminal never got is reversed (x420 naming its STAN; an old terminal's field 48). */
  | 'lostAnswerReversed'
  /** A reversal advice whose acknowledgement was lost is repeated (x421, same STAN) until one is acknowledged. */
  | 'reversalRepeated';

/** One request the case expects, in order: its MTI ("x200" matches 0200 and 1200) and how the switch answered it. */
export interface ExpectedExchange {
  request: string | string[];
  /** The answer's action code, by outcome name (either code set); absent: any answer, or none. */
  outcome?: Outcome;
}

/** A fault rule as POST /faults takes it, without the terminal: the console adds the terminal under test. */
export interface CaseFault {
  kind: 'delay' | 'noAnswer' | 'close' | 'actionCode' | 'corrupt' | 'badArpc' | 'dropMac';
  mti?: string;
  ms?: number;
  code?: string;
  times?: number | 'always';
}

export interface TestCase {
  id: string;
  title: string;
  /** What the tester does on the terminal, step by step. */
  instructions: string;
  /** The test card to use (docs/TEST-CARDS.md), with its PIN. */
  card: string;
  faults: CaseFault[];
  /**
   * The requests of the case, in order. Requests of the MTIs named here are compared one by one;
   * requests of other MTIs (network management, completions) are not.
   */
  exchanges: ExpectedExchange[];
  checks: CheckName[];
}

export interface TestPlan {
  id: string;
  title: string;
  /** The terminal kind the plan certifies (the terminal keys file's model). */
  kind: 'psam' | 'dkt1' | 'contactless' | 'fuel';
  description: string;
  cases: TestCase[];
}

/** "x200" matches 0200 and 1200; a four-digit MTI only itself. */
export function mtiMatches(pattern: string, mti: string | null): boolean {
  if (mti === null) return false;
  return pattern.startsWith('x') ? mti.slice(1) === pattern.slice(1) : mti === pattern;
}

export function patternsOf(expected: ExpectedExchange): string[] {
  return Array.isArray(expected.request) ? expected.request : [expected.request];
}
