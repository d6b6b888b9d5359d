/**
 * A bounded cache of values made from string keys: two generations of at most `size / 2` each.
 * A value is made into `recent`; one found in `older` moves to `recent`; when `recent` is full it
 * becomes `older` and the previous `older` is dropped whole. So a key used at least once every
 * `size / 2` new keys stays, a hit is one lookup, and dropping is O(1) (an LRU Map's delete and
 * re-insert per hit leaves holes that every eviction then walks over).
 *
 * Used for the block ciphers' objects (src/crypto/block-cipher.ts) and for the fraud monitoring's
 * parsed transactions (src/card/card-watch.ts).
 */
export class TwoGenerationMap<V> {
  private recent = new Map<string, V>();
  private older = new Map<string, V>();

  constructor(private readonly size: number) {}

  /** The value under `key`, made by `make` when there is none (a `make` that throws changes nothing). */
  get(key: string, make: (key: string) => V): V {
    const hit = this.recent.get(key);
    if (hit !== undefined) return hit;
    const old = this.older.get(key);
    if (old !== undefined) {
      this.older.delete(key);
      this.admit(key, old);
      return old;
    }
    const made = make(key);
    this.admit(key, made);
    return made;
  }

  /** Puts a value made elsewhere (it replaces any under the key). */
  set(key: string, value: V): void {
    this.older.delete(key);
    if (!this.recent.has(key)) this.admit(key, value);
    else this.recent.set(key, value);
  }

  has(key: string): boolean {
    return this.recent.has(key) || this.older.has(key);
  }

  get count(): number {
    return this.recent.size + this.older.size;
  }

  clear(): void {
    this.recent = new Map();
    this.older = new Map();
  }

  private admit(key: string, value: V): void {
    if (this.recent.size >= this.size / 2) {
      this.older = this.recent;
      this.recent = new Map();
    }
    this.recent.set(key, value);
  }
}
