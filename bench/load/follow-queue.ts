/**
 * A connection's follow-ups waiting to be sent, oldest first: a ring of (template, original STAN)
 * pairs in one Int32Array, so that the worker's hot path allocates nothing for them. It doubles
 * (rarely: more follow-ups waiting than ever before on that connection) when full.
 */
export class FollowUpQueue {
  private ring: Int32Array;
  private head = 0;
  size = 0;
  /** The original's STAN of the follow-up last taken by shift(). */
  original = 0;

  constructor(capacity = 8) {
    this.ring = new Int32Array(2 * Math.max(1, capacity));
  }

  get capacity(): number {
    return this.ring.length >> 1;
  }

  push(template: number, original: number): void {
    const cap = this.capacity;
    if (this.size === cap) {
      const grown = new Int32Array(this.ring.length * 2);
      for (let i = 0; i < this.size; i++) {
        const from = ((this.head + i) % cap) << 1;
        grown[i << 1] = this.ring[from]!;
        grown[(i << 1) + 1] = this.ring[from + 1]!;
      }
      this.ring = grown;
      this.head = 0;
    }
    const at = ((this.head + this.size) % this.capacity) << 1;
    this.ring[at] = template;
    this.ring[at + 1] = original;
    this.size++;
  }

  /** The oldest follow-up's template (its original's STAN in `original`); -1 when empty. */
  shift(): number {
    if (this.size === 0) return -1;
    const at = this.head << 1;
    this.original = this.ring[at + 1]!;
    this.head = (this.head + 1) % this.capacity;
    this.size--;
    return this.ring[at]!;
  }
}
