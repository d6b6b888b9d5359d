/**
 * An offline terminal's copy of the offline block list (docs/CLEARING.md, "Offline block list"):
 * the cards it must refuse offline, by PAN. A full file replaces the list at once (a terminal
 * starting from nothing); a daily change file is kept until its effective date, the morning after
 * its day, and then applied: A puts (or replaces) the card, R takes it off.
 */
import { type ReadBlockList, readBlockList } from '../src/blocking/block-list-file.js';

/** A card on the list: its PAN and the block reason's code as the file has it (lost, stolen, pin, ...). */
export interface BlockListEntryLine {
  pan: string;
  reason: string;
}

export class OfflineBlockListCopy {
  private readonly cards = new Map<string, string>();
  /** Daily files waiting for their morning, oldest first. */
  private readonly waiting: ReadBlockList[] = [];

  /** Cards on the list now (files waiting for their morning not applied). */
  get size(): number {
    return this.cards.size;
  }

  /** Daily files fetched and not yet applied. */
  get pendingFiles(): number {
    return this.waiting.length;
  }

  /** Takes in a file's text as fetched; a file that does not follow the layout throws (RecordError). */
  take(content: string): void {
    const file = readBlockList(content);
    if (file.kind === 'DAILY') {
      this.waiting.push(file);
      return;
    }
    this.cards.clear();
    this.apply(file);
    // The daily files the full file includes are applied with it.
    this.waiting.splice(0, this.waiting.length, ...this.waiting.filter((f) => f.date > file.date));
  }

  /** The card's entry on the list at the terminal's local time (YYMMDDhhmmss), after applying the files due by then. */
  lookup(pan: string, local: string): BlockListEntryLine | undefined {
    const today = `20${local.slice(0, 2)}-${local.slice(2, 4)}-${local.slice(4, 6)}`;
    while (this.waiting.length > 0 && this.waiting[0]!.effective <= today) this.apply(this.waiting.shift()!);
    const reason = this.cards.get(pan);
    return reason === undefined ? undefined : { pan, reason };
  }

  private apply(file: ReadBlockList): void {
    for (const e of file.entries) {
      if (e.type === 'A') this.cards.set(e.pan, e.reason);
      else this.cards.delete(e.pan);
    }
  }
}
