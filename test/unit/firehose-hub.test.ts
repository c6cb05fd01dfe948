/**
 * The paced live fan-out: every live client gets every event once, in order, in few writes;
 * a lone event goes out at once; the seam with a replay is exact; memory is one rotation.
 */
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../libs/obs/index.js';
import { Hub, type FanoutClient, type HubItem } from '../../services/firehose/hub.js';
import { createFirehoseMetrics } from '../../services/firehose/metrics.js';
import { sleep, waitFor } from '../helpers/waits.js';

class FakeClient implements FanoutClient {
  lastSeq = 0;
  live = true;
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

  it('under steady load writes each client about once per interval, every event once and in order', async () => {
    const h = hub(25);
    const cs = clients(h, 40);
    const total = 200;
    const started = performance.now();
    for (let seq = 1; seq <= total; seq++) {
      h.push(item(seq));
      await sleep(2);
    }
    const elapsed = performance.now() - started;
    await waitFor(() => cs.every((c) => c.lastSeq === total), { what: 'every client caught up' });
    for (const c of cs) {
      expect(c.received).toEqual(range(1, total));
      // one write per 25 ms rotation (plus the first, at once), far fewer than one per event
      expect(c.writes.length).toBeLessThanOrEqual(Math.ceil(elapsed / 25) + 3);
    }
    expect(h.heldChunks).toBe(0);
  });

  /** 20 clients, fed 60 events 1 ms apart under a 5 ms interval: the period it settled on */
  async function rotationFor(make: () => FakeClient): Promise<{ periodMs: number; cs: FakeClient[] }> {
    const h = hub(5, 0.5);
    const cs = clients(h, 20, make);
    for (let seq = 1; seq <= 60; seq++) {
      h.push(item(seq));
      await sleep(1);
    }
    await waitFor(() => cs.every((c) => c.lastSeq === 60), { what: 'every client caught up' });
    for (const c of cs) expect(c.received).toEqual(range(1, 60));
    return { periodMs: h.periodMs, cs };
  }

  it('stretches the rotation when the clients do not fit in the interval at what a write costs', async () => {
    // 20 clients x 0.5 ms a write / 0.5 share = a 20 ms rotation, not the 5 ms interval
    expect((await rotationFor(() => new FakeClient(undefined, 0.5))).periodMs).toBeGreaterThan(15);
  });

  it('does not stretch the rotation for the odd visit the process spent preempted', async () => {
    // the same 0.5 ms a write on average, but as a 5 ms stall in one write of ten: a write
    // itself costs next to nothing, so the rotation stays at the interval
    const { periodMs, cs } = await rotationFor(() => new FakeClient(undefined, 0, { every: 10, ms: 5 }));
    expect(cs.some((c) => c.writes.length >= 10)).toBe(true); // the stalls did happen
    expect(periodMs).toBe(5);
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
