/**
 * The answers a fault rule makes: one with the action code the rule names (instead of the
 * register's decision), and one whose bytes are damaged so that no terminal can read it.
 */
import { randomInt } from 'node:crypto';
import type { Dialect, FieldLayout, IsoMessage } from '../codec/index.js';
import { ACTION_CODES, type CodeSet } from '../messages/action-codes.js';
import type { RequestContext } from './context.js';
import { packIccAnswer, responseMti } from './steps/respond.js';

/**
 * The rule's code in the listener's code set. A code of the other set (3 digits on a 1987
 * listener, 2 characters on a 1993 one) is translated through the action-code table (the first
 * outcome that has it: 1987 `00` is approved); a code the table does not know becomes system
 * malfunction, so that the answer can still be packed.
 */
export function codeFor(code: string, codes: CodeSet): string {
  const own = codes === 'iso93' ? 3 : 2;
  if (code.length === own) return code;
  const other: CodeSet = codes === 'iso93' ? 'iso87' : 'iso93';
  const outcome = Object.values(ACTION_CODES).find((c) => c[other] === code);
  return (outcome ?? ACTION_CODES.systemMalfunction)[codes];
}

/**
 * The answer with the rule's action code, built as the respond step builds any answer (MTI + 10,
 * the route's echo fields) without asking the register: nothing is reserved or posted. An
 * approval code accompanies an approved code, as the terminal expects one.
 */
export function actionCodeAnswer(
  ctx: Pick<RequestContext, 'request' | 'mti' | 'route' | 'codes'>,
  code: string,
): IsoMessage {
  const response: IsoMessage = {};
  for (const n of ctx.route.echo) {
    const value = ctx.request[n];
    if (value !== undefined) response[n] = value;
  }
  response[0] = responseMti(ctx.mti);
  response[39] = codeFor(code, ctx.codes);
  if (response[39] === ACTION_CODES.approved[ctx.codes])
    response[38] = String(randomInt(0, 1_000_000)).padStart(6, '0');
  return response;
}

/** SUB: not a digit, a control character, and in BCD a nibble above 9: unreadable in every field format. */
const GARBAGE = 0x1a;

/**
 * The packed answer with its action code (field 39, in every answer) overwritten by garbage: the
 * frame is intact and the fields before 39 (MTI, STAN, terminal id) readable, but no strict
 * unpacker reads the message, in any dialect (numeric in the 1993 ones, text that refuses control
 * characters in the 1987 one).
 */
export function corruptAnswer(dialect: Dialect, body: Buffer): Buffer {
  const layout: FieldLayout[] = [];
  dialect.unpackPartial(body, layout);
  const f39 = layout.find((l) => l.field === 39)!;
  const out = Buffer.from(body);
  out.fill(GARBAGE, f39.start, f39.end);
  return out;
}

/**
 * The answer's ARPC (tag 91 of field 55) with its first byte inverted, the rest of the answer as
 * the switch decided it: a terminal that checks the ARPC must find it wrong (docs/PROTOCOL.md §7).
 * An answer without tag 91 (no cryptogram verified) is left alone; false then.
 */
export function spoilArpc(ctx: Pick<RequestContext, 'iccAnswer' | 'response' | 'dialect'>): boolean {
  const i = ctx.iccAnswer.findIndex((o) => o.tag === '91');
  if (i < 0) return false;
  const value = Buffer.from(ctx.iccAnswer[i]!.value as Buffer);
  value[0] = value[0]! ^ 0xff;
  ctx.iccAnswer[i] = { tag: '91', value };
  packIccAnswer(ctx);
  return true;
}
