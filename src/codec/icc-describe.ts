/**
 * Field 55 (ICC data) in words, for traces: each data object by tag and name, the TVR, CVM
 * results and script results decoded from the EMV dictionary (emv-dictionary.ts), card data
 * (track equivalents, PAN, holder's name) hidden. Data that cannot be read as BER-TLV is hidden
 * whole from the point it fails: nothing says what it holds.
 */
import {
  CVM_CODES,
  CVM_CONDITIONS,
  CVM_RESULTS,
  EMV_TAGS,
  HIDDEN_EMV_TAGS,
  SCRIPT_RESULTS,
  TVR_BITS,
} from './emv-dictionary.js';
import { TlvError, type TlvObject, decodeTlv } from './tlv.js';

/** The TVR's set bits in words (Book 3 Annex C5), in byte and bit order; RFU bits set are named as such. */
export function decodeTvr(tvr: Buffer): string[] {
  const out: string[] = [];
  for (let byte = 1; byte <= tvr.length; byte++) {
    for (let bit = 8; bit >= 1; bit--) {
      if ((tvr[byte - 1]! & (1 << (bit - 1))) === 0) continue;
      const named = TVR_BITS.find(([b, i]) => b === byte && i === bit);
      out.push(named?.[2] ?? `RFU byte ${byte} bit ${bit}`);
    }
  }
  return out;
}

export interface CvmResults {
  /** The CVM code without its "apply succeeding" bit (Annex C3 Table 39). */
  code: number;
  method: string;
  condition: string;
  result: string;
  /** Bit 7 of the first byte: the next CVM applies when this one fails. */
  applySucceeding: boolean;
}

/** 9F34: method, condition, result (Book 3 Annex A1, tag 9F34; Annex C3). Undefined unless 3 bytes. */
export function decodeCvmResults(cvm: Buffer): CvmResults | undefined {
  if (cvm.length !== 3) return undefined;
  const code = cvm[0]! & 0x3f;
  return {
    code,
    method: CVM_CODES[code] ?? `unknown CVM ${hex2(code)}`,
    condition: CVM_CONDITIONS[cvm[1]!] ?? `condition ${hex2(cvm[1]!)}`,
    result: CVM_RESULTS[cvm[2]!] ?? `result ${hex2(cvm[2]!)}`,
    applySucceeding: (cvm[0]! & 0x40) !== 0,
  };
}

export interface ScriptResult {
  /** High nibble of the first byte: 0 not performed, 1 failed, 2 successful (Book 4 Annex A5). */
  status: number;
  /** Low nibble: the failing command's sequence number (0 not specified, F fifteenth or later). */
  sequence: number;
  /** The script's identifier (9F18), 8 hex digits; '00000000' when the script had none. */
  scriptId: string;
  /** The status in words. */
  text: string;
}

/** 9F5B: 5 bytes per script performed (Book 4 Annex A5); undefined when not a multiple of 5. */
export function decodeScriptResults(results: Buffer): ScriptResult[] | undefined {
  if (results.length === 0 || results.length % 5 !== 0) return undefined;
  const out: ScriptResult[] = [];
  for (let i = 0; i < results.length; i += 5) {
    const status = results[i]! >> 4;
    out.push({
      status,
      sequence: results[i]! & 0x0f,
      scriptId: results.toString('hex', i + 1, i + 5).toUpperCase(),
      text: SCRIPT_RESULTS[status] ?? `status ${status}`,
    });
  }
  return out;
}

/**
 * Field 55 in words, one data object after another, separated by '; '. A character field
 * (iso87ascii) holds the bytes as two hex digits each.
 */
export function describeIcc(value: Buffer | string): string {
  if (typeof value === 'string' && !/^([0-9A-Fa-f]{2})*$/.test(value))
    return `[unreadable ICC data (not hex digits), ${value.length} characters hidden]`;
  const bytes = typeof value === 'string' ? Buffer.from(value, 'hex') : value;
  let objects: TlvObject[];
  try {
    objects = decodeTlv(bytes);
  } catch (e) {
    if (!(e instanceof TlvError)) throw e;
    return `[unreadable ICC data (${e.message}), ${bytes.length} bytes hidden]`;
  }
  return objects.map(describeObject).join('; ');
}

function describeObject(o: TlvObject): string {
  const head = `${o.tag} ${EMV_TAGS[o.tag] ?? 'proprietary or unknown'}`;
  if (o.children !== undefined) return `${head}: {${o.children.map(describeObject).join('; ')}}`;
  return `${head}: ${describeValue(o.tag, o.value)}`;
}

function describeValue(tag: string, value: Buffer): string {
  if (HIDDEN_EMV_TAGS.has(tag)) return `[hidden, ${value.length} bytes]`;
  const hex = value.toString('hex').toUpperCase();
  if (tag === '95') {
    const bits = decodeTvr(value);
    return `${hex} (${bits.length === 0 ? 'no bit set' : bits.join(', ')})`;
  }
  if (tag === '9F34') {
    const cvm = decodeCvmResults(value);
    if (cvm === undefined) return hex;
    const succeeding = cvm.applySucceeding ? ', else the next CVM' : '';
    return `${hex} (${cvm.method}${succeeding}; ${cvm.condition}; ${cvm.result})`;
  }
  if (tag === '9F5B') {
    const results = decodeScriptResults(value);
    if (results === undefined) return hex;
    const words = results.map(
      (r) => `script ${r.scriptId}: ${r.text}${r.sequence === 0 ? '' : ` at command ${r.sequence}`}`,
    );
    return `${hex} (${words.join(', ')})`;
  }
  return hex;
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}
