import { describe, expect, it } from 'vitest';
import type { BookMessage, StatusMessage } from '../../../libs/core/index.js';
import { ConsensusBook, LineArbiter, type LineStep } from '../../../libs/consensus/index.js';
import { GROUP, RULES, delta, snap, status } from './venue-books.js';

const T0 = 1_000_000;
const SILENCE = 500;
const V = 'binance-usdm';
const S = 'BTC-USDT';

const on = (line: string, m: BookMessage): BookMessage => ({ ...m, line });
const onStatus = (line: string, m: StatusMessage): StatusMessage => ({ ...m, line });
const live = (seq: number) => ({ [S]: { state: 'live' as const, seq, last_msg_ts: T0, resyncs: 0 } });

/** The merger's intake in miniature: what the arbiter forwards goes into a consensus book. */
function pipeline() {
  const arbiter = new LineArbiter(V, S, SILENCE);
  const book = new ConsensusBook(GROUP, RULES, 1, T0);
  const resyncs: string[] = [];
  const run = (step: LineStep, now: number): LineStep => {
    resyncs.push(...step.resync);
    if (step.switched) {
      const slot = book.slot(V, S)!;
      slot.pending = [];
    }
    for (const m of step.forward) book.applyBook(m, now);
    if (step.status) book.applyStatus(step.status, now, S);
    return step;
  };
  return {
    arbiter,
    book,
    resyncs,
    book$: (m: BookMessage, now = T0) => run(arbiter.onBook(m, now), now),
    reply$: (m: BookMessage, now = T0) => run(arbiter.onBook(m, now, true), now),
    status$: (m: StatusMessage, now = T0) => run(arbiter.onStatus(m, now), now),
    tick$: (now: number) => run(arbiter.tick(now), now),
    bids: () => book.snapshot(T0).bids.map((l) => [l[0], l[1]]),
    alerts: () => book.drainAlerts().map((a) => a.kind),
  };
}

/** Both lines carry the same venue book, each with its own seq chain (A from 100, B from 7). */
function twoLines() {
  const p = pipeline();
  p.book$(on('A', snap(V, S, 100, [['100', '1']], [['101', '1']])));
  p.book$(on('B', snap(V, S, 7, [['100', '1']], [['101', '1']])));
  p.status$(onStatus('A', status(V, 'live', live(100))));
  p.status$(onStatus('B', status(V, 'live', live(7))));
  expect(p.arbiter.chosen).toBe('A');
  p.book.flush(T0);
  p.alerts();
  return p;
}

describe('line arbitration of one venue book', () => {
  it('with a single unnamed line, messages reach the consensus unchanged', () => {
    const p = pipeline();
    const first = snap(V, S, 10, [['100', '1']], [['101', '1']]);
    expect(p.book$(first).forward).toHaveLength(1);
    expect(p.arbiter.chosen).toBe('A');
    const d = delta(V, S, 11, [['99.9', '2']], []);
    expect(p.book$(d).forward).toEqual([d]);
    expect(p.bids()).toEqual([['100', '1'], ['99.9', '2']]);
  });

  it('keeps the other line warm without forwarding it', () => {
    const p = twoLines();
    const step = p.book$(on('B', delta(V, S, 8, [['99.5', '4']], [])));
    expect(step.forward).toEqual([]);
    expect(p.arbiter.lines.get('B')!.bids.get('99.5')).toBe('4');
    expect(p.bids()).toEqual([['100', '1']]);
  });

  it('a gap on the chosen line switches to the other in one step: its book, no RESYNC', () => {
    const p = twoLines();
    p.book$(on('B', delta(V, S, 8, [['99.5', '4']], [])));
    p.book$(on('A', delta(V, S, 101, [['99.5', '4']], [])));
    const step = p.book$(on('A', delta(V, S, 103, [['99.4', '1']], []))); // 102 lost on line A
    expect(step.switched).toEqual({ from: 'A', to: 'B', reason: 'gap' });
    expect(step.resync).toEqual(['A']);
    expect(p.bids()).toEqual([['100', '1'], ['99.5', '4']]);
    expect(p.alerts()).toEqual([]);
    expect(p.book.slot(V, S)!.phase).toBe('live');
    // line B's chain goes on in the consensus
    expect(p.book$(on('B', delta(V, S, 9, [['99.4', '1']], []))).forward).toHaveLength(1);
    expect(p.bids()).toEqual([['100', '1'], ['99.5', '4'], ['99.4', '1']]);
  });

  it('a down status of the chosen line switches before the consensus sees it: no STALE', () => {
    const p = twoLines();
    const step = p.status$(onStatus('A', status(V, 'down', live(100))));
    expect(step.switched).toEqual({ from: 'A', to: 'B', reason: 'down' });
    p.book.tick(T0 + 10);
    expect(p.alerts()).toEqual([]);
    expect(p.book.slot(V, S)).toMatchObject({ venueState: 'live', stale: false, member: true });
  });

  it('a silent chosen line gives way once the other has delivered for longer than the silence', () => {
    const p = twoLines();
    p.book$(on('B', delta(V, S, 8, [['99', '1']], [])), T0 + 100);
    // line A lagging by a few ms is no reason to switch
    p.book$(on('A', delta(V, S, 101, [['99', '1']], [])), T0 + 105);
    expect(p.tick$(T0 + 1000).switched).toBeUndefined();
    p.book$(on('B', delta(V, S, 9, [['98', '1']], [])), T0 + 1100);
    expect(p.tick$(T0 + 1100 + SILENCE).switched).toBeUndefined();
    const step = p.tick$(T0 + 1101 + SILENCE);
    expect(step.switched).toEqual({ from: 'A', to: 'B', reason: 'silent' });
    expect(p.bids()).toEqual([['100', '1'], ['99', '1'], ['98', '1']]);
    expect(p.alerts()).toEqual([]);
  });

  it('with no usable line to switch to, a gap reaches the consensus as before (RESYNC)', () => {
    const p = pipeline();
    p.book$(on('A', snap(V, S, 100, [['100', '1']], [])));
    p.book.flush(T0);
    const step = p.book$(on('A', delta(V, S, 102, [['99', '1']], [])));
    expect(step.switched).toBeUndefined();
    expect(step.forward).toHaveLength(1);
    expect(p.alerts()).toEqual(['RESYNC']);
    expect(p.arbiter.needsSnapshot()).toEqual(['A']);
  });

  it('a line is not switched to while its copy is out of sequence or its collector says not live', () => {
    const p = twoLines();
    p.status$(onStatus('B', status(V, 'live', { [S]: { state: 'resyncing', seq: 7, last_msg_ts: T0, resyncs: 1 } })));
    expect(p.status$(onStatus('A', status(V, 'down', live(100)))).switched).toBeUndefined();
    expect(p.book.slot(V, S)!.venueState).toBe('down');
  });

  it('ignores a snapshot reply the line copy has already passed', () => {
    const p = twoLines();
    p.book$(on('A', delta(V, S, 101, [['99', '1']], [])));
    const step = p.reply$(on('A', snap(V, S, 100, [['100', '1']], [])));
    expect(step.applied).toBe('ignored');
    expect(step.forward).toEqual([]);
    expect(p.bids()).toEqual([['100', '1'], ['99', '1']]);
  });

  it('a restarted collector line starts a new chain with a published snapshot, whatever its seq', () => {
    const p = twoLines();
    p.book$(on('B', snap(V, S, 1, [['98', '1']], [])));
    expect(p.book$(on('B', delta(V, S, 2, [['97', '1']], []))).applied).toBe('applied');
    expect([...p.arbiter.lines.get('B')!.bids.keys()]).toEqual(['98', '97']);
  });

  it('a seq a line reported that never arrived puts its copy out of sequence: the chosen line gives way', () => {
    const p = twoLines();
    p.status$(onStatus('A', status(V, 'live', live(105)))); // A says 105, we hold 100
    const step = p.status$(onStatus('A', status(V, 'live', live(105))));
    expect(step.switched).toEqual({ from: 'A', to: 'B', reason: 'gap' });
    expect(step.resync).toEqual(['A']);
    expect(p.alerts()).toEqual([]);
  });
});
