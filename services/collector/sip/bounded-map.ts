// A Map with a hard size cap and oldest-first eviction. Map keeps insertion order, so `touch`
// (delete + set) turns it into an LRU, and the head is always the entry idle the longest: time
// eviction only ever looks at the head, which keeps it O(1) per removed entry.

export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();

  /** `onEvict` runs for entries pushed out by the size cap (not for delete or shift). */
  constructor(
    readonly maxSize: number,
    private readonly onEvict?: (key: K, value: V) => void,
  ) {
    if (!(maxSize >= 1)) throw new RangeError('maxSize must be at least 1');
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Insert or replace; a new key goes to the tail. */
  set(key: K, value: V): void {
    if (!this.map.has(key) && this.map.size >= this.maxSize) {
      const oldest = this.map.keys().next();
      if (!oldest.done) {
        const evicted = this.map.get(oldest.value)!;
        this.map.delete(oldest.value);
        this.onEvict?.(oldest.value, evicted);
      }
    }
    this.map.set(key, value);
  }

  /** Move an entry to the tail (most recently used). */
  touch(key: K): void {
    const value = this.map.get(key);
    if (value === undefined) return;
    this.map.delete(key);
    this.map.set(key, value);
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  /** The oldest entry, without removing it. */
  peekOldest(): [K, V] | undefined {
    const first = this.map.entries().next();
    return first.done ? undefined : first.value;
  }

  /** Remove and return oldest entries while `expired` says so. */
  shiftWhile(expired: (value: V, key: K) => boolean): ReadonlyArray<[K, V]> {
    let out: Array<[K, V]> | undefined;
    for (const [key, value] of this.map) {
      if (!expired(value, key)) break;
      this.map.delete(key); // deleting visited entries during iteration is safe for Map
      (out ??= []).push([key, value]);
    }
    return out ?? NONE;
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }

  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }

  clear(): void {
    this.map.clear();
  }
}

const NONE: ReadonlyArray<never> = Object.freeze([]);
