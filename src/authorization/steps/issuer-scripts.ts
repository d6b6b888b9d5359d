/**
 * Issuer scripts in the chip's conversation (docs/SECURITY.md §2, PROTOCOL.md "Field 55"):
 * - sendIssuerScripts, after the decision: a chip request (field 55 with the ARQC 9F26 and ATC
 *   9F36) of a card in the register takes the card's queued scripts, each once, into templates
 *   71 / 72 of the answer's field 55, every command with Lc and its MAC under the card's SK-SMI;
 *   in any answer the register gave for the card (approved or declined: an application block
 *   belongs in a decline), not in one refused before the card was looked at;
 * - recordScriptResults, before anything else of a request: the terminal's issuer script results
 *   (9F5B, EMV Book 4 Annex A5) in a later 1100/1200, 1220/0220 or 1420/0420 are recorded on the
 *   card's scripts sent.
 * A card whose MAC key is unknown (no IMK-SMI for its product) gets no script: they stay queued.
 */
import type { Step } from '../pipeline.js';
import { type RequestContext, refuse } from '../context.js';
import type { Outcome } from '../../messages/action-codes.js';
import { IccDataError, iccDataOf } from '../../messages/icc-data.js';
import { panOf } from '../../messages/card-data.js';
import { transactionOf } from '../../messages/transaction-data.js';
import { luhnValid } from '../../card/luhn.js';
import type { CardId } from '../../crypto/card-id.js';
import type { IssuerScript, IssuerScripts } from '../../card/issuer-scripts.js';
import { SCRIPT_MAC_BYTES } from '../../card/script-commands.js';
import { decodeScriptResults } from '../../codec/icc-describe.js';
import type { TlvInput } from '../../codec/tlv.js';
import { registerCall } from '../../redis/errors.js';
import { scriptCommandMac } from '../../crypto/emv/script-mac.js';

export interface IssuerScriptDeps {
  scripts: Pick<IssuerScripts, 'take' | 'record'>;
  idOf: (pan: string) => CardId;
  /** The card's MK-SMI, derived from its product's IMK-SMI; undefined when none is configured. */
  macKeyOf: (pan: string) => Promise<Buffer | undefined>;
  /** A register call slower than this is given up. */
  timeoutMs: number;
}

/** Answers given before the card was looked at, or about the message rather than the card: no scripts. */
const NO_SCRIPTS: ReadonlySet<Outcome> = new Set<Outcome>([
  'formatError',
  'notRegistered',
  'registerUnavailable',
  'systemMalfunction',
  'invalidTransaction',
  'duplicateTransmission',
  'currencyNotAccepted',
]);

export function sendIssuerScripts(deps: IssuerScriptDeps): Step {
  return {
    name: 'sendIssuerScripts',
    // Declines carry scripts too; it never throws (a failure sends none, and they stay queued).
    final: true,
    async run(ctx) {
      if (ctx.outcome === undefined || NO_SCRIPTS.has(ctx.outcome)) return;
      // An ARQC that did not verify is no card's to trust with a script (its MAC key is R = the ARQC).
      if (ctx.cryptogram === 'missing' || ctx.cryptogram?.verified === false) return;
      const chip = chipOf(ctx);
      if (chip === undefined) return;
      try {
        const key = await registerCall(deps.macKeyOf(chip.pan), deps.timeoutMs);
        if (key === undefined) return;
        const taken = await registerCall(deps.scripts.take(deps.idOf(chip.pan), transactionOf(ctx)), deps.timeoutMs);
        for (const script of taken) ctx.iccAnswer.push(template(script, key, chip.atc, chip.arqc));
      } catch (e) {
        ctx.log.warn({ err: (e as Error).message, step: 'sendIssuerScripts' }, 'issuer scripts not sent');
      }
    },
  };
}

/** A chip request's PAN, ATC and ARQC; undefined when it is not one (or field 55 lacks them). */
function chipOf(ctx: RequestContext): { pan: string; atc: Buffer; arqc: Buffer } | undefined {
  const pan = panOf(ctx.request);
  if (pan === undefined || !luhnValid(pan)) return undefined;
  let icc;
  try {
    icc = iccDataOf(ctx.request);
  } catch {
    return undefined;
  }
  const atc = icc?.byTag.get('9F36');
  const arqc = icc?.byTag.get('9F26');
  if (atc?.length !== 2 || arqc?.length !== 8) return undefined;
  return { pan, atc, arqc };
}

/** Template 71 / 72: the script id (9F18), then each command (86) as CLA INS P1 P2 Lc data MAC. */
export function template(script: IssuerScript, key: Buffer, atc: Buffer, arqc: Buffer): TlvInput {
  const commands = script.commands.map((c): TlvInput => {
    const data = Buffer.from(c.data, 'hex');
    const header = Buffer.concat([Buffer.from(c.header, 'hex'), Buffer.from([data.length + SCRIPT_MAC_BYTES])]);
    const mac = scriptCommandMac(key, atc, arqc, header, data).subarray(0, SCRIPT_MAC_BYTES);
    return { tag: '86', value: Buffer.concat([header, data, mac]) };
  });
  return { tag: script.template, value: [{ tag: '9F18', value: Buffer.from(script.id, 'hex') }, ...commands] };
}

export function recordScriptResults(deps: Pick<IssuerScriptDeps, 'scripts' | 'idOf' | 'timeoutMs'>): Step {
  return {
    name: 'recordScriptResults',
    async run(ctx) {
      let value: Buffer | undefined;
      try {
        value = iccDataOf(ctx.request)?.byTag.get('9F5B');
      } catch (e) {
        if (e instanceof IccDataError) return refuse(ctx, 'formatError', e.message);
        throw e;
      }
      if (value === undefined) return;
      const results = decodeScriptResults(value);
      if (results === undefined)
        return refuse(ctx, 'formatError', `field 55: tag 9F5B: ${value.length} bytes, not 5 per script`);
      const pan = panOf(ctx.request);
      if (pan === undefined || !luhnValid(pan)) return;
      const reported = results.map((r) => ({ id: r.scriptId, status: r.status, sequence: r.sequence }));
      // The request goes on whatever happens here: its own business is not the script's.
      try {
        await registerCall(deps.scripts.record(deps.idOf(pan), transactionOf(ctx), reported), deps.timeoutMs);
      } catch (e) {
        ctx.log.warn({ err: (e as Error).message, step: 'recordScriptResults' }, 'issuer script results not recorded');
      }
    },
  };
}
