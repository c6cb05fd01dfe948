/**
 * The live fan-out: every live client gets every event once, in order; an idle client gets each
 * event at once; writes are held to a share of the time only when they do not fit (then each
 * write carries more), and to the readers' pace once one falls behind; a client with a socket
 * backlog is written once per interval; the seam with
 * a replay is exact; memory is one rotation.
 */
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../libs/obs/index.js';
import { Hub, type FanoutClient, type HubItem } from '../../services/firehose/hub.js';
import { createFirehoseMetrics } from '../../services/firehose/metrics.js';
import { sleep, waitFor } from '../helpers/waits.js';

class FakeClient implements FanoutClient {
  lastSeq = 0;
  live = true;
  backlogged = false;
  /** every write: the seqs it held */
  writes: number[][] = [];
  constructor(
    private readonly symbols?: Set<string>,
    /** busy time per write, to stand in for a slow socket */
    private readonly costMs = 0,
    /** every this many writes, one blocks off the CPU: the process preempted mid-rotation */
    private readonly stall?: { every: number; ms: number },
  ) {}
  get unfiltered(): boolean {
    return this.symbols === undefined;
  }
  matches(symbol: string): boolean {
    return this.symbols?.has(symbol) ?? true;
  }
  deliver(frame: Buffer, messages: number): void {
    const seqs = [...frame.toString().matchAll(/\[(-?\d+)\]/g)].map((m) => Number(m[1]));
    expect(seqs.length).toBe(messages);
    this.writes.push(seqs);
    const until = performance.now() + this.costMs;
    while (performance.now() < until);
    if (this.stall && this.writes.length % this.stall.every === 0) Atomics.wait(blocker, 0, 0, this.stall.ms);
  }
  get received(): number[] {
    return this.writes.flat();
  }
}

/** Atomics.wait on this blocks the thread without using the CPU */
const blocker = new Int32Array(new SharedArrayBuffer(4));

const item = (seq: number, symbol = 'BTC-USDT'): HubItem => ({ seq, frame: Buffer.from(`[${seq}]`), symbol, venue: 'okx-swap' });
const gap = (seq: number): HubItem => ({ seq, frame: Buffer.from(`[-${seq}]`) });
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function hub(intervalMs = 10, writeShare = 0.5): Hub<FakeClient> {
  return new Hub<FakeClient>(createFirehoseMetrics(createRegistry('test')), { intervalMs, writeShare });
}

function clients(h: Hub<FakeClient>, n: number, make = () => new FakeClient()): FakeClient[] {
  return Array.from({ length: n }, () => {
    const c = make();
    h.add(c);
    return c;
  });
}

describe('paced fan-out', () => {
  it('sends a lone event after a quiet spell to every client at once', async () => {
    const h = hub(50);
    const cs = clients(h, 200);
    h.push(item(1));
    await new Promise((r) => setImmediate(r));
    for (const c of cs) expect(c.writes).toEqual([[1]]);
  });

  it('serves clients that connect after events went out to nobody', async () => {
    const h = hub(10);
    h.push(item(1));
    await sleep(5);
    const [late] = clients(h, 1);
    late!.lastSeq = h.lastSeq;
    h.push(item(2));
    await waitFor(() => late!.lastSeq === 2, { what: 'the late client served' });
    expect(late!.received).toEqual([2]);
  });

  it('writes an idle client each event as it comes while the writes fit', async () => {
    const h = hub(25);
    const cs = clients(h, 40);
    for (let seq = 1; seq <= 50; seq++) {
      h.push(item(seq));
      await sleep(2);
    }
    await waitFor(() => cs.every((c) => c.lastSeq === 50), { what: 'every client caught up' });
    for (const c of cs) expect(c.writes).toEqual(range(1, 50).map((s) => [s]));
    expect(h.heldChunks).toBe(0);
  });

  /** 20 clients fed 60 events 1 ms apart (or as soon as the writes let the loop run again) */
  async function feed(make: () => FakeClient): Promise<{ h: Hub<FakeClient>; cs: FakeClient[]; elapsedMs: number }> {
    const h = hub(5, 0.5);
    const cs = clients(h, 20, make);
    const started = performance.now();
    for (let seq = 1; seq <= 60; seq++) {
      h.push(item(seq));
      await sleep(1);
    }
    await waitFor(() => cs.every((c) => c.lastSeq === 60), { what: 'every client caught up' });
    for (const c of cs) expect(c.received).toEqual(range(1, 60));
    return { h, cs, elapsedMs: performance.now() - started };
  }

  it('when the writes do not fit, holds them to the write share and each write carries more events', async () => {
    // 20 clients x 0.5 ms a write: writing each event to all would take 10 ms per 1 ms event
    const { h, cs, elapsedMs } = await feed(() => new FakeClient(undefined, 0.5));
    const writes = cs.reduce((n, c) => n + c.writes.length, 0);
    // written per event, the loop would do little else (~10 ms of writes to each 1 ms of sleep)
    expect((writes * 0.5) / elapsedMs).toBeLessThan(0.7);
    expect(writes).toBeLessThan(20 * 60 * 0.8);
    // a full rotation at half the time: 20 x 0.5 ms / 0.5
    expect(h.periodMs).toBeGreaterThan(15);
  });

  it('does not count the odd write the process spent preempted as what a write costs', async () => {
    // a 5 ms stall in one write of ten: a write itself costs next to nothing, so the rotation
    // stays short and every event still goes out as it comes
    const { h, cs } = await feed(() => new FakeClient(undefined, 0, { every: 10, ms: 5 }));
    expect(cs.some((c) => c.writes.length >= 10)).toBe(true); // the stalls did happen
    expect(h.periodMs).toBeLessThan(1);
  });

  it('paces every client while the writes do not fit, and writes at once again when the load falls', async () => {
    const h = hub(50, 0.5);
    const cs = clients(h, 20, () => new FakeClient(undefined, 0.5));
    for (let seq = 1; seq <= 60; seq++) {
      h.push(item(seq));
      await sleep(1);
    }
    await waitFor(() => cs.every((c) => c.lastSeq === 60), { what: 'every client caught up' });
    // paced: each client once per rotation, no shorter than writing them all at half the time (20
    // ms), no longer than the 50 ms interval it starts at
    expect(h.periodMs).toBeGreaterThanOrEqual(20);
    expect(h.periodMs).toBeLessThanOrEqual(50);
    for (let seq = 61; seq <= 70; seq++) {
      h.push(item(seq));
      await sleep(60);
    }
    await waitFor(() => cs.every((c) => c.lastSeq === 70), { what: 'every client caught up' });
    // one turn with events per 60 ms x 20 clients x 0.5 ms is a sixth of the time: at once again
    expect(h.periodMs).toBeLessThan(50);
    for (const c of cs) {
      expect(c.received).toEqual(range(1, 70));
      expect(c.writes.slice(-3)).toEqual([[68], [69], [70]]);
    }
  });

  it('eases the rotation toward what the write share allows while readers keep up, and doubles it when one falls behind', async () => {
    // 10 clients x 0.4 ms a write: all of them once at half the time is 8 ms, the interval 80 ms
    const h = hub(80, 0.5);
    const cs = clients(h, 10, () => new FakeClient(undefined, 0.4));
    let seq = 0;
    const feedFor = async (ms: number, sample: (periodMs: number) => void = () => undefined) => {
      for (const until = performance.now() + ms; performance.now() < until; ) {
        h.push(item(++seq));
        await sleep(1);
        sample(h.periodMs);
      }
    };
    await feedFor(1_200);
    const eased = h.periodMs;
    expect(eased).toBeLessThan(40);
    cs[0]!.backlogged = true;
    let highest = 0;
    await feedFor(300, (p) => (highest = Math.max(highest, p)));
    expect(highest).toBeGreaterThanOrEqual(1.8 * eased);
    await waitFor(() => cs.every((c) => c.lastSeq === seq), { what: 'every client caught up' });
    for (const c of cs) expect(c.received).toEqual(range(1, seq));
  });

  it('writes a client with a socket backlog once per interval, its neighbours each event at once', async () => {
    const h = hub(20);
    const [idle, behind] = clients(h, 2);
    behind!.backlogged = true;
    for (let seq = 1; seq <= 40; seq++) {
      h.push(item(seq));
      await sleep(1);
    }
    await waitFor(() => behind!.lastSeq === 40, { what: 'the backlogged client caught up' });
    expect(idle!.writes.length).toBe(40);
    expect(behind!.received).toEqual(range(1, 40));
    // 40+ ms of events at one write per 20 ms (the first at once)
    expect(behind!.writes.length).toBeLessThanOrEqual(5);
    expect(behind!.writes.length).toBeGreaterThanOrEqual(2);
  });

  it('joins a client that turns live at any position with exactly what follows it', async () => {
    const h = hub(1_000);
    const [early] = clients(h, 1);
    for (let seq = 1; seq <= 6; seq++) h.push(item(seq));
    await new Promise((r) => setImmediate(r));
    expect(h.lastSeq).toBe(6);
    // 7-9 arrive but are not fanned out yet; replays that read the log up to 8 (inside that
    // batch) and up to 11 (ahead of the live side) turn live now
    for (let seq = 7; seq <= 9; seq++) h.push(item(seq));
    const mid = new FakeClient();
    mid.lastSeq = 8;
    const ahead = new FakeClient();
    ahead.lastSeq = 11;
    h.add(mid);
    h.add(ahead);
    for (let seq = 10; seq <= 12; seq++) h.push(item(seq));
    h.flush();
    expect(early!.received).toEqual(range(1, 12));
    expect(mid.received).toEqual(range(9, 12));
    expect(ahead.received).toEqual([12]);
  });

  it('gives a filtered client its symbols and every GAP; a replaying client holds nothing back', async () => {
    const h = hub(1);
    const eth = new FakeClient(new Set(['ETH-USDT']));
    const replaying = new FakeClient();
    replaying.live = false;
    h.add(eth);
    h.add(replaying);
    h.push(item(1, 'BTC-USDT'));
    h.push(item(2, 'ETH-USDT'));
    h.push(gap(3));
    h.push(item(4, 'BTC-USDT'));
    await waitFor(() => eth.lastSeq === 4, { what: 'the filtered client caught up' });
    expect(eth.received).toEqual([2, -3]);
    expect(replaying.writes).toEqual([]);
    expect(h.heldChunks).toBe(0);
  });

  it('on a log reset flushes the old log, then tells every live client, and follows the new numbering', () => {
    const h = hub(1_000);
    const [a] = clients(h, 1);
    const replaying = new FakeClient();
    replaying.live = false;
    h.add(replaying);
    h.push(item(41));
    const broken: FakeClient[] = [];
    h.resetLog(0, Buffer.from('[-99]'), (c) => broken.push(c));
    expect(a!.received).toEqual([41, -99]);
    expect(broken).toEqual([replaying]);
    h.push(item(1));
    h.flush();
    expect(a!.received).toEqual([41, -99, 1]);
  });
});
