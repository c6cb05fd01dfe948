/**
 * A subscriber-side copy of venue books built from BookMessages, with the seq rules a downstream
 * consumer must apply: a snapshot replaces, a delta must continue the chain. Used by tests to
 * compare what reached NATS with the simulator's truth.
 */
import { canonicalDecimal, Decimal, type BookMessage, type Level } from '../../libs/core/index.js';

export class BookMirror {
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();
  seq = -1;
  gaps = 0;
  messages = 0;

  apply(m: BookMessage): void {
    this.messages++;
    if (m.kind === 'snapshot') {
      this.bids.clear();
      this.asks.clear();
    } else if (m.prev_seq !== this.seq) {
      this.gaps++;
    }
    this.seq = m.seq;
    for (const [p, q] of m.bids) set(this.bids, p, q);
    for (const [p, q] of m.asks) set(this.asks, p, q);
  }

  top(depth: number): { bids: Level[]; asks: Level[] } {
    const sort = (m: Map<string, string>, desc: boolean): Level[] =>
      [...m.entries()]
        .sort((a, b) => (desc ? new Decimal(b[0]).cmp(a[0]) : new Decimal(a[0]).cmp(b[0])))
        .slice(0, depth)
        .map(([p, q]) => [p, q]);
    return { bids: sort(this.bids, true), asks: sort(this.asks, false) };
  }
}

function set(m: Map<string, string>, p: string, q: string): void {
  const key = canonicalDecimal(p);
  if (new Decimal(q).isZero()) m.delete(key);
  else m.set(key, canonicalDecimal(q));
}
