/**
 * Where a request carries its DUKPT key serial number (docs/PROTOCOL.md, "The KSN"): field 53 in
 * the 1993 dialects (b..48: the KSN's 10 or 12 bytes as they are), field 48 sub-element 05 in the
 * 1987 one, whose field 53 is n16 and cannot hold it (20 or 24 hexadecimal digits).
 */
import type { IsoMessage } from '../codec/index.js';
import { FIELD_48, subElementsOf } from './transaction-data.js';

export interface KsnPlace {
  ksn: Buffer;
  /** The field it came from, for a format error's reason. */
  field: '53' | '48.05';
}

/** The request's KSN; 'unreadable' (naming the field) when present but not 10 or 12 bytes; undefined when absent. */
export function ksnOf(request: IsoMessage): KsnPlace | { unreadable: string } | undefined {
  const f53 = request[53];
  if (Buffer.isBuffer(f53)) {
    return f53.length === 10 || f53.length === 12 ? { ksn: f53, field: '53' } : { unreadable: '53' };
  }
  const elements = subElementsOf(request);
  if (elements === undefined || elements === 'unreadable') return undefined;
  const hex = elements.get(FIELD_48.ksn);
  if (hex === undefined) return undefined;
  return /^([0-9A-Fa-f]{20}|[0-9A-Fa-f]{24})$/.test(hex)
    ? { ksn: Buffer.from(hex, 'hex'), field: '48.05' }
    : { unreadable: '48.05' };
}
