/**
 * The alerts a gateway can hand out again (#16.3): a copy of the JetStream alert log, oldest
 * first, capped by count and by the log's age limit. Pure: times come in as arguments.
 * `after(id)` answers "what came after the last alert I saw"; when the history no longer reaches
 * back to `id` it says so instead of returning a list with a silent hole.
 */
import type { AlertMessage } from '../../libs/core/index.js';

export interface Kept {
  alert: AlertMessage & { id: number };
  /** when the log stored it (ms) */
  storedAt: number;
}

export type AfterResult = { alerts: (AlertMessage & { id: number })[]; next_after: number } | { expired: true; oldest: number };

export class AlertHistory {
  private readonly kept: Kept[] = [];
  private head = 0;
  /** the lowest id this history can still answer from (everything from it on is kept) */
  floor = 1;
  /** highest id seen */
  last = 0;

  constructor(
    private readonly maxCount: number,
    private readonly maxAgeMs: number,
  ) {}

  /** The log starts at `firstSeq` (older entries were dropped by the log before we came). */
  startAt(firstSeq: number): void {
    this.floor = Math.max(1, firstSeq);
    this.last = Math.max(this.last, this.floor - 1);
  }

  add(alert: AlertMessage & { id: number }, storedAt: number): void {
    if (alert.id <= this.last) return;
    // ids the log skipped (a purge, a message that was not an alert) are simply not alerts
    this.last = alert.id;
    this.kept.push({ alert, storedAt });
    if (this.kept.length - this.head > this.maxCount) this.dropOldest();
    if (this.head > 1024 && this.head * 2 > this.kept.length) {
      this.kept.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Alerts with id > `after` (of `symbol` when given), oldest first, at most `limit`. */
  after(after: number, symbol: string | undefined, limit: number, now: number): AfterResult {
    this.expire(now);
    if (after + 1 < this.floor) return { expired: true, oldest: this.floor };
    const out: (AlertMessage & { id: number })[] = [];
    let i = this.search(after + 1);
    for (; i < this.kept.length && out.length < limit; i++) {
      const a = this.kept[i]!.alert;
      if (symbol === undefined || a.symbol === symbol) out.push(a);
    }
    // without a symbol filter or with more to read, resume right after the last one returned;
    // otherwise everything up to the newest was looked at
    const next = out.length === limit ? out.at(-1)!.id : Math.max(after, this.last);
    return { alerts: out, next_after: next };
  }

  get size(): number {
    return this.kept.length - this.head;
  }

  private expire(now: number): void {
    while (this.head < this.kept.length && now - this.kept[this.head]!.storedAt > this.maxAgeMs) this.dropOldest();
  }

  private dropOldest(): void {
    const k = this.kept[this.head++]!;
    this.floor = k.alert.id + 1;
  }

  /** Index of the first kept alert with id >= `id`. */
  private search(id: number): number {
    let lo = this.head;
    let hi = this.kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.kept[mid]!.alert.id < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
