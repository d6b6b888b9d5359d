/**
 * The one error the codec throws. Its message names where the problem is (MTI, field, byte offset)
 * and what it is, and by construction never carries a field's value: callers pass a reason written
 * from lengths and positions only, so PAN, track or PIN data cannot end up in a log line.
 */
export interface Iso8583ErrorDetails {
  reason: string;
  field?: number;
  offset?: number;
  mti?: string;
}

export class Iso8583Error extends Error {
  readonly reason: string;
  readonly field: number | undefined;
  readonly offset: number | undefined;
  mti: string | undefined;

  constructor(details: Iso8583ErrorDetails) {
    super(formatMessage(details));
    this.name = 'Iso8583Error';
    this.reason = details.reason;
    this.field = details.field;
    this.offset = details.offset;
    this.mti = details.mti;
  }

  /** The same error, now knowing the MTI of the message it came from. */
  withMti(mti: string): Iso8583Error {
    if (this.mti !== undefined) return this;
    return new Iso8583Error({ reason: this.reason, field: this.field, offset: this.offset, mti });
  }

  toJSON(): Iso8583ErrorDetails & { name: string; message: string } {
    return {
      name: this.name,
      message: this.message,
      reason: this.reason,
      field: this.field,
      offset: this.offset,
      mti: this.mti,
    };
  }
}

function formatMessage({ reason, field, offset, mti }: Iso8583ErrorDetails): string {
  let text = field === undefined ? reason : `field ${field}: ${reason}`;
  if (offset !== undefined) text += ` at offset ${offset}`;
  if (mti !== undefined) text += ` (MTI ${mti})`;
  return text;
}
