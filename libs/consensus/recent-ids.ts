/**
 * A capped set of recently seen keys: exact-duplicate detection with bounded memory. When full,
 * the oldest key is forgotten (overflow policy: evict-oldest); a duplicate arriving after that
 * many newer keys is no longer recognised, which is the documented cost of the bound.
 */
export class RecentIds {
  private readonly seen = new Set<string>();

  constructor(readonly capacity: number) {}

  /** true when `key` was already seen (and is now refreshed as seen) */
  check(key: string): boolean {
    if (this.seen.has(key)) return true;
    if (this.seen.size >= this.capacity) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    this.seen.add(key);
    return false;
  }

  /** true when `key` was already seen; does not record it */
  has(key: string): boolean {
    return this.seen.has(key);
  }

  get size(): number {
    return this.seen.size;
  }
}
