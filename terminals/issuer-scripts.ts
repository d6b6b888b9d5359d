/**
 * The emulated card runs the issuer scripts an answer brings (docs/SECURITY.md §2): the terminal
 * hands the answer's field 55 to the card, which performs each template 71 / 72 (9F18 the script
 * id, then its 86 commands) and keeps the results; the terminal reports them as 9F5B (EMV Book 4
 * Annex A5: per script one byte of status and failing command, then the 4-byte script id) in
 * the card's next request or advice, whichever comes first (a 1220 completion after a 1100, the
 * next 1200, a 1420).
 *
 * What a command does to the emulated card: PIN unblock (INS 24) gives the offline PIN its tries
 * back, application block (1E) and unblock (18) set the application's state; any other command is
 * performed and recorded. With the card's MK-SMI known (macKeyOf) each command's MAC is checked as
 * the card would (under SK-SMI from the request's ARQC, over header, ATC, ARQC and data: the
 * switch's src/crypto/emv/script-mac.ts) and a wrong MAC fails the script at that command;
 * without it the commands are taken as they come.
 *
 * State lives in this process's memory, per card (PAN), shared by the process's terminals.
 */
import { type TlvInput, type TlvObject, decodeTlv, encodeTlv, tlvByTag } from '../src/codec/tlv.js';
import type { IsoMessage, IsoValue } from '../src/codec/index.js';
import { iccField } from '../src/messages/icc-data.js';
import { cardMacMasterKey, scriptCommandMac } from '../src/crypto/emv/script-mac.js';
import { TEST_CARDS } from '../src/seed/catalogue.js';
import { DEFAULT_CONFIG } from '../src/config/defaults.js';

/** One script as the card performed it. */
export interface ScriptRun {
  pan: string;
  /** 9F18, 8 hex digits ('00000000' when the template had none). */
  scriptId: string;
  template: '71' | '72';
  /** Each command as received, hex. */
  commands: string[];
  /** Book 4 Annex A5: 2 successful, 1 failed. */
  status: 1 | 2;
  /** The failing command's number (1-based), 0 when none failed. */
  sequence: number;
}

/** The emulated card's own state that scripts change. */
export interface CardChipState {
  /** The offline PIN's tries left (3 when new or unblocked). */
  pinTriesLeft: number;
  applicationBlocked: boolean;
}

/** A script command's bytes: CLA INS P1 P2 Lc, then Lc bytes (data and MAC). */
const HEADER = 5;
const MAC_BYTES = 8;
const FULL_PIN_TRIES = 3;

export class CardScripts {
  /** Every script performed, oldest first. */
  readonly performed: ScriptRun[] = [];
  private readonly results = new Map<string, Buffer[]>();
  private readonly cards = new Map<string, CardChipState>();

  /** `macKeyOf`: the card's MK-SMI when the emulator knows it (the commands' MACs are checked then). */
  constructor(private readonly macKeyOf: (pan: string) => Buffer | undefined = () => undefined) {}

  /** The card's state (a card never seen: new, PIN tries full, not blocked). */
  card(pan: string): CardChipState {
    let state = this.cards.get(pan);
    if (state === undefined) {
      state = { pinTriesLeft: FULL_PIN_TRIES, applicationBlocked: false };
      this.cards.set(pan, state);
    }
    return state;
  }

  /**
   * Performs the scripts of an answer (its field 55) for the card of the request it answers;
   * returns those performed. Field 55 that cannot be read brings no script.
   */
  absorb(request: IsoMessage, response: IsoMessage | undefined): ScriptRun[] {
    const pan = request[2];
    const objects = response === undefined ? undefined : objectsOf(response[55]);
    if (typeof pan !== 'string' || objects === undefined) return [];
    const asked = objectsOf(request[55]);
    const byTag = asked === undefined ? new Map<string, Buffer>() : tlvByTag(asked);
    const runs = objects
      .filter((o) => (o.tag === '71' || o.tag === '72') && o.children !== undefined)
      .map((o) => this.perform(pan, o, byTag.get('9F36'), byTag.get('9F26')));
    return runs;
  }

  /** The request with the card's results not yet reported added to its field 55 (as 9F5B); they count as reported. */
  report(request: IsoMessage, characters: boolean): IsoMessage {
    const pan = request[2];
    const pending = typeof pan === 'string' ? this.results.get(pan) : undefined;
    if (pending === undefined || pending.length === 0) return request;
    this.results.delete(pan as string);
    const objects: TlvInput[] = (objectsOf(request[55]) ?? []).map((o) => ({ tag: o.tag, value: o.value }));
    objects.push({ tag: '9F5B', value: Buffer.concat(pending) });
    request[55] = iccField(encodeTlv(objects), characters);
    return request;
  }

  private perform(pan: string, template: TlvObject, atc: Buffer | undefined, arqc: Buffer | undefined): ScriptRun {
    const id = template.children!.find((c) => c.tag === '9F18')?.value;
    const scriptId = id?.length === 4 ? id.toString('hex').toUpperCase() : '00000000';
    const commands = template.children!.filter((c) => c.tag === '86').map((c) => c.value);
    const key = this.macKeyOf(pan);
    let sequence = 0;
    for (const [i, command] of commands.entries()) {
      if (!this.execute(pan, command, key, atc, arqc)) {
        sequence = i + 1;
        break;
      }
    }
    const run: ScriptRun = {
      pan,
      scriptId,
      template: template.tag as '71' | '72',
      commands: commands.map((c) => c.toString('hex').toUpperCase()),
      status: sequence === 0 ? 2 : 1,
      sequence,
    };
    this.performed.push(run);
    const result = Buffer.alloc(5);
    result[0] = (run.status << 4) | Math.min(sequence, 0xf);
    Buffer.from(scriptId, 'hex').copy(result, 1);
    this.results.set(pan, [...(this.results.get(pan) ?? []), result]);
    return run;
  }

  /** One command; false when the card refuses it (malformed, or a wrong MAC). */
  private execute(pan: string, command: Buffer, key: Buffer | undefined, atc?: Buffer, arqc?: Buffer): boolean {
    if (command.length < HEADER || command[4] !== command.length - HEADER) return false;
    if (key !== undefined) {
      if (atc?.length !== 2 || arqc?.length !== 8 || command[4]! < MAC_BYTES) return false;
      const data = command.subarray(HEADER, command.length - MAC_BYTES);
      const mac = scriptCommandMac(key, atc, arqc, command.subarray(0, HEADER), data);
      if (!mac.equals(command.subarray(command.length - MAC_BYTES))) return false;
    }
    const card = this.card(pan);
    const ins = command[1];
    if (ins === 0x24) card.pinTriesLeft = FULL_PIN_TRIES;
    if (ins === 0x1e) card.applicationBlocked = true;
    if (ins === 0x18) card.applicationBlocked = false;
    return true;
  }
}

/** Field 55's objects (bytes, or hex digits in iso87ascii); undefined when absent or unreadable. */
function objectsOf(value: IsoValue | undefined): TlvObject[] | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeTlv(typeof value === 'string' ? Buffer.from(value, 'hex') : value);
  } catch {
    return undefined;
  }
}

/**
 * A test card's MK-SMI (docs/TEST-CARDS.md): from its product's shipped IMK-SMI (config
 * register.issuerMasterKeys defaults) and its PAN sequence number, as the switch derives it;
 * undefined for a card the catalogue does not have.
 */
export function testScriptKeyOf(pan: string): Buffer | undefined {
  const card = TEST_CARDS.find((c) => c.pan === pan);
  const imk = card === undefined ? undefined : DEFAULT_CONFIG.register.issuerMasterKeys?.[card.product]?.smi;
  return imk === undefined ? undefined : cardMacMasterKey(Buffer.from(imk, 'hex'), pan, card!.icc.panSequence);
}

/** The scripts of the emulated cards of this process (every terminal shares the cards); test cards check MACs. */
export const cardScripts = new CardScripts(testScriptKeyOf);
