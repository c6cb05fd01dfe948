/**
 * The judging pieces of bench:faults and the fault suite, on made-up inputs: liquidations
 * compared per window (lost, duplicated, phantom), a followed book's seq breaks and healing, and
 * which figures meet the targets.
 */
import { describe, expect, it } from 'vitest';
import { FollowedBook, compareLiquidations } from '../../bench/lib/faults/index.js';
import { figures, targetsMet } from '../../bench/faults.js';

const sent = (id: string, ts: number) => ({ venue: 'okx-swap', id, symbol: 'BTC-USDT', ts });
const got = (id: string, ts: number, seq: number) => ({ venue: 'okx-swap', id, ts, seq });

describe('liquidations judged against what the simulator sent', () => {
  it('counts the lost, the duplicated and the phantom inside the window only; decimals compare canonically', () => {
    const s = [sent('okx-swap:X-10-buy-1.5-2', 10), sent('okx-swap:X-20-buy-1-2', 20), sent('okx-swap:X-30-sell-1-2', 30), sent('okx-swap:X-99-sell-1-2', 99)];
    const d = [got('okx-swap:X-10-buy-1.50-2.0', 10, 1), got('okx-swap:X-20-buy-1-2', 20, 2), got('okx-swap:X-20-buy-1-2', 20, 3), got('okx-swap:Y-25-buy-1-1', 25, 4), got('okx-swap:X-99-sell-1-2', 99, 5), got('okx-swap:X-99-sell-1-2', 99, 6)];
    expect(compareLiquidations(s, d, { since: 0, until: 50 })).toEqual({ lost: 1, dup: 1, phantom: 1, sent: 3, lostIds: ['okx-swap:X-30-sell-1-2'] });
    expect(compareLiquidations(s, d, { since: 51, until: 100 })).toMatchObject({ lost: 0, dup: 1, phantom: 0, sent: 1 });
  });
});

describe('a followed book', () => {
  const snap = (seq: number, epoch = 1) => ({ type: 'SNAPSHOT', payload: { symbol: 'BTC-USD', epoch, seq, bids: [['100', '1']] as [string, string][], asks: [['101', '2']] as [string, string][] } });
  const delta = (seq: number, epoch = 1, bids: [string, string][] = [['100', '0'], ['99', '3']]) => ({ type: 'BOOK', payload: { symbol: 'BTC-USD', epoch, seq, bids, asks: [] as [string, string][] } });

  it('applies contiguous deltas, breaks on a seq jump or a new epoch, ignores BOOKs until the SNAPSHOT heals it', () => {
    const b = new FollowedBook('BTC-USD');
    expect(b.apply(delta(1), 0)).toBe('ignored');
    expect(b.apply(snap(5), 1)).toBe('ok');
    expect(b.apply(delta(6), 2)).toBe('ok');
    expect(b.top(5)).toEqual({ bids: [['99', '3']], asks: [['101', '2']] });
    expect(b.apply(delta(8), 3)).toBe('break');
    expect(b.apply(delta(9), 4)).toBe('ignored');
    expect({ breaks: b.breaks, healed: b.healed, pending: b.pending }).toEqual({ breaks: 1, healed: 0, pending: true });
    b.apply(snap(9), 5);
    expect({ breaks: b.breaks, healed: b.healed, pending: b.pending }).toEqual({ breaks: 1, healed: 1, pending: false });
    expect(b.apply(delta(1, 2), 6)).toBe('break'); // a new epoch needs its SNAPSHOT
  });

  it('counts as market data only updates that change levels', () => {
    const b = new FollowedBook('BTC-USD');
    b.apply(snap(1), 10);
    b.apply(delta(2, 1, []), 20); // venue views only
    b.apply(delta(3), 30);
    expect(b.updates).toEqual([10, 30]);
  });
});

describe('targets', () => {
  const base = { recovered_ms: 1000, stall_ms: 900, liq_lost: 0, liq_dup: 0, seq_breaks_unhealed: 0, books_exact: true, crashed: [], liq_sent: 50, liq_phantom: 0, lost_ids: [], seq_breaks: 0, stale_alerts: 0, window: { since: 0, until: 1 } };
  it('no loss or duplicate for the NATS, merger and firehose faults; losses allowed for collector-kill; no unhealed break or crash anywhere', () => {
    expect(targetsMet({ ...base, fault: 'merger-kill' })).toBe(true);
    expect(targetsMet({ ...base, fault: 'merger-kill', liq_lost: 1 })).toBe(false);
    expect(targetsMet({ ...base, fault: 'collector-kill', liq_lost: 30 })).toBe(true);
    expect(targetsMet({ ...base, fault: 'collector-kill', seq_breaks_unhealed: 1 })).toBe(false);
    expect(targetsMet({ ...base, fault: 'firehose-kill', crashed: ['gateway-0'] })).toBe(false);
    expect(Object.keys(figures({ ...base, fault: 'nats-kill' }))).toEqual(['fault', 'recovered_ms', 'stall_ms', 'liq_lost', 'liq_dup', 'seq_breaks_unhealed', 'books_exact']);
  });
});
