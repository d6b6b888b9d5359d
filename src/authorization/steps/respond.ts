/**
 * Builds the answer: MTI + 10, the request fields the route echoes, the approval code on approval
 * (set by decide), the chip's answer objects in field 55 when a step added any, and always the
 * action code (field 39) in the listener's code set.
 */
import type { Step } from '../pipeline.js';
import { actionCode } from '../../messages/action-codes.js';
import { encodeTlv } from '../../codec/tlv.js';
import { iccField } from '../../messages/icc-data.js';
import type { RequestContext } from '../context.js';

/**
 * 1200 -> 1210, 0800 -> 0810, 1420 -> 1430: the function digit moves from request to response;
 * a repeat (origin digit 1, 1221) is answered as the original would be (1230).
 */
export function responseMti(mti: string): string {
  const origin = Number(mti[3]);
  return mti.slice(0, 2) + String(Number(mti[2]) + 1) + String(origin - (origin % 2));
}

/** The chip's answer objects into field 55, as the listener's dialect carries it. */
export function packIccAnswer(ctx: Pick<RequestContext, 'iccAnswer' | 'response' | 'dialect'>): void {
  ctx.response[55] = iccField(encodeTlv(ctx.iccAnswer), ctx.dialect.field(55)?.encoding === 'ascii');
}

export const respond: Step = {
  name: 'respond',
  final: true,
  run(ctx) {
    for (const n of ctx.route.echo) {
      const value = ctx.request[n];
      if (value !== undefined) ctx.response[n] = value;
    }
    ctx.response[0] = responseMti(ctx.mti);
    if (ctx.outcome !== 'approved') delete ctx.response[38];
    if (ctx.iccAnswer.length > 0) packIccAnswer(ctx);
    ctx.response[39] = actionCode(ctx.outcome ?? 'systemMalfunction', ctx.codes);
  },
};
