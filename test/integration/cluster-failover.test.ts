/**
 * #14 items 1, 4 and 9 on a real three-node JetStream cluster (every service given all three
 * NATS URLs):
 * - each NATS node in turn is killed -9 (so every service loses the node it is connected to at
 *   some point): gateway clients keep getting deltas and firehose readers keep getting
 *   liquidations within a couple of seconds, and the firehose loses and repeats nothing;
 * - a libs/client client given both gateways moves to the other when its gateway is killed -9,
 *   gets HANDSHAKE and SNAPSHOT there and goes on with an exact book;
 * - a firehose reader whose instance is killed -9 reconnects to the other with `?after=<last seq>`
 *   and gets exactly the rest: the seq is the stream sequence, the same on every instance.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'nats';
import { BookfuseClient, type WebSocketLike } from '../../libs/client/index.js';
import { LIQ_STREAM } from '../../libs/bus/index.js';
import { cliBuilt } from '../helpers/cli.js';
import { sleep, waitFor } from '../helpers/waits.js';
import { KEY, startClusterTopology, type ClusterTopology } from './cluster-topology.js';

/** Records what a socket receives, with arrival times. */
class Recorder {
  readonly got: { at: number; m: { type?: string; seq?: number; id?: string } }[] = [];
  readonly ws: WebSocket;
  constructor(url: string) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws.on('error', () => undefined);
    this.ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { type?: string; seq?: number; id?: string };
      this.got.push({ at: Date.now(), m });
      if (m.type === 'PING') this.ws.send(JSON.stringify({ type: 'PONG' }));
    });
  }
  /** arrival times of the messages `pred` selects */
  times(pred: (m: { type?: string; id?: string }) => boolean): number[] {
    return this.got.filter((g) => pred(g.m)).map((g) => g.at);
  }
  liquidations(): { seq: number; id: string; at: number }[] {
    return this.got.filter((g) => g.m.type === undefined && typeof g.m.seq === 'number').map((g) => ({ seq: g.m.seq!, id: g.m.id!, at: g.at }));
  }
  close(): void {
    this.ws.close();
  }
}

const isBook = (m: { type?: string }) => m.type === 'BOOK' || m.type === 'SNAPSHOT';
const isLiq = (m: { type?: string; id?: string }) => m.type === undefined && m.id !== undefined;
const longestGap = (times: number[], from: number, to: number) => {
  const ts = [from, ...times.filter((t) => t > from && t < to), to];
  return Math.max(...ts.slice(1).map((t, i) => t - ts[i]!));
};

/** when the log stored each entry (ms), read back from the stream */
async function storedAt(url: string): Promise<Map<number, number>> {
  const nc = await connect({ servers: url.split(',') });
  try {
    const js = nc.jetstream();
    const last = (await (await nc.jetstreamManager()).streams.info(LIQ_STREAM)).state.last_seq;
    const out = new Map<number, number>();
    const consumer = await js.consumers.get(LIQ_STREAM, { opt_start_seq: 1 });
    const msgs = await consumer.consume({ max_messages: 1000 });
    for await (const m of msgs) {
      out.set(m.seq, m.info.timestampNanos / 1e6);
      if (m.seq >= last) break;
    }
    return out;
  } finally {
    await nc.close();
  }
}

const expectContiguous = (seqs: number[]) => {
  for (let i = 1; i < seqs.length; i++) expect(seqs[i], `seq after ${seqs[i - 1]}`).toBe(seqs[i - 1]! + 1);
};

describe.runIf(cliBuilt())('services on a three-node NATS cluster', () => {
  let t: ClusterTopology;
  const gwWs = (i: number) => `ws://127.0.0.1:${t.gateways[i]!.port}`;
  const fhFeed = (i: number, after?: number) => `ws://127.0.0.1:${t.firehoses[i]!.port}/ws/v1/liquidation/feed?token=${KEY}${after === undefined ? '' : `&after=${after}`}`;

  beforeAll(async () => {
    t = await startClusterTopology();
    for (const g of t.gateways) {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${g.port}/v1/books/BTC-USD?depth=5&token=${KEY}`)).ok, { timeoutMs: 30_000, what: 'a consensus book on every gateway' });
    }
  }, 90_000);
  afterAll(async () => t?.stop(), 60_000);

  it('rides through the kill -9 of each NATS node in turn: deltas and liquidations keep coming, none lost or repeated', async () => {
    const books = [0, 1].map((i) => new Recorder(`${gwWs(i)}/ws?token=${KEY}&symbols=BTC-USD&depth=10`));
    const liqs = [0, 1].map((i) => new Recorder(fhFeed(i)));
    await waitFor(() => books.every((b) => b.times(isBook).length > 0) && liqs.every((l) => l.times(isLiq).length > 0), { timeoutMs: 20_000, what: 'books and liquidations on every instance' });
    const report: string[] = [];
    for (let node = 0; node < 3; node++) {
      const killedAt = Date.now();
      await t.nats.kill(node);
      // every client has new data after the kill…
      // (liquidations: the collector → merger → log path may pause several seconds while the
      // streams' and the merger durable's leaders move; what the firehose adds is checked below)
      await waitFor(() => [...books.map((b) => b.times(isBook)), ...liqs.map((l) => l.times(isLiq))].every((ts) => ts.some((x) => x > killedAt + 200)), {
        timeoutMs: 20_000,
        what: `data on every client after node ${node + 1} died`,
      }).catch(async (e: Error) => {
        const nc = await connect({ servers: t.nats.url.split(',') });
        const jsm = await nc.jetstreamManager();
        const diag: string[] = [];
        for (const st of ['BOOKFUSE_VENUE_LIQ', LIQ_STREAM]) {
          const i = await jsm.streams.info(st).catch((x: Error) => x.message);
          diag.push(typeof i === 'string' ? `${st}: ${i}` : `${st}: last ${i.state.last_seq} leader ${i.cluster?.leader} replicas ${i.config.num_replicas}`);
          for await (const c of jsm.consumers.list(st)) diag.push(`  consumer ${c.name}: delivered ${c.delivered.stream_seq} pending ${c.num_pending} ack_pending ${c.num_ack_pending} waiting ${c.num_waiting} leader ${c.cluster?.leader} R${c.config.num_replicas}`);
        }
        await nc.close();
        console.log(diag.join('\n'));
        const last = (ts: number[]) => (ts.length ? ts.at(-1)! - killedAt : 'none');
        throw new Error(`${e.message}: last data relative to the kill: gateways ${books.map((b) => last(b.times(isBook))).join(', ')}; firehoses ${liqs.map((l) => last(l.times(isLiq))).join(', ')}\n${t.firehoses.map((f) => f.run.out().slice(-3000)).join('\n---\n')}`);
      });
      await sleep(3000);
      const end = Date.now();
      const bookStall = Math.max(...books.map((b) => longestGap(b.times(isBook), killedAt, end)));
      const liqStall = Math.max(...liqs.map((l) => longestGap(l.times(isLiq), killedAt, end)));
      report.push(`node ${node + 1}: longest book stall ${bookStall} ms, longest wait between liquidations ${liqStall} ms`);
      // …and the book never stops for long (deltas come many times a second): ~0.1–0.4 s, but when
      // the lost node led the merger's lease stream the active fences itself until the lease's Raft
      // group elects a new leader, 4–9 s on nats-server 2.9.10 (docs/merger.md)
      expect(bookStall, report.join('; ')).toBeLessThanOrEqual(12_000);
      await t.nats.start(node);
      await sleep(2000); // the node rejoins and catches up before the next one goes
    }
    // every entry the log stored reached every reader, in order, once, and within 15 s: typically
    // 1–2 s, 3.5–9 s when the lost (or rejoining) node held the consumer's or the meta leader: a
    // stalled consumer is replaced, and its replacement waits for the meta leader, whose API calls
    // time out while the loaded two-core machine elects (16 runs on 2026-12-05: worst 0.7–11.5 s,
    // once 12.8 s the day before, once 15.9 s in a CI run, which failed here; nothing was ever lost
    // or repeated)
    const stored = await storedAt(t.nats.url);
    // (entries stored after the read-back began are not in `stored`: they came after every fault)
    const judged = (l: Recorder) => l.liquidations().filter((x) => stored.has(x.seq));
    const lags = liqs.flatMap((l) => judged(l).map((x) => x.at - stored.get(x.seq)!));
    report.push(`firehose delivery after the log stored an entry: max ${Math.round(Math.max(...lags))} ms over ${lags.length} deliveries`);
    console.log(report.join('\n'));
    for (const l of liqs) expectContiguous(l.liquidations().map((x) => x.seq));
    const worst = liqs.flatMap((l, i) => judged(l).map((x) => ({ i, seq: x.seq, lag: x.at - stored.get(x.seq)!, at: x.at }))).sort((a, b) => b.lag - a.lag)[0]!;
    expect(Math.max(...lags), `${report.join('; ')}; worst: firehose ${worst.i + 1} seq ${worst.seq} at ${new Date(worst.at).toISOString()}\n${t.firehoses.map((f) => f.run.out().slice(-4000)).join('\n---\n')}`).toBeLessThanOrEqual(15_000);
    for (const r of [...books, ...liqs]) r.close();
  }, 150_000);

  it('moves a libs/client client to the other gateway when its gateway is killed -9, with an exact book there', async () => {
    const c = new BookfuseClient({
      url: [gwWs(0), gwWs(1)],
      apiKey: KEY,
      symbols: ['BTC-USD'],
      depth: 10,
      webSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
    });
    const handshakes: string[] = [];
    const snapshots: string[] = [];
    c.on('handshake', () => handshakes.push(c.currentUrl));
    c.on('book', (_b, kind) => kind === 'snapshot' && snapshots.push(c.currentUrl));
    c.start();
    try {
      await waitFor(() => c.books.get('BTC-USD')?.synced, { timeoutMs: 10_000, what: 'a synced book on gateway 1' });
      expect(c.currentUrl).toBe(gwWs(0));
      const killedAt = Date.now();
      await t.gateways[0]!.kill();
      await waitFor(() => c.state === 'open' && c.currentUrl === gwWs(1) && c.books.get('BTC-USD')?.synced, { timeoutMs: 10_000, what: 'a synced book on gateway 2' });
      const recoveredMs = Date.now() - killedAt;
      expect(handshakes).toEqual([gwWs(0), gwWs(1)]);
      expect(snapshots.at(-1)).toBe(gwWs(1));
      // deltas keep coming on the new instance, and the book stays exact (no resync needed)
      let deltas = 0;
      let resyncs = 0;
      c.on('book', (_b, kind) => kind === 'delta' && deltas++);
      c.on('resync', () => resyncs++);
      await waitFor(() => deltas >= 5, { timeoutMs: 5_000, what: 'deltas on gateway 2' });
      expect(resyncs).toBe(0);
      console.log(`client failover: synced on gateway 2 ${recoveredMs} ms after gateway 1 was killed`);
      expect(recoveredMs).toBeLessThanOrEqual(3000);
    } finally {
      c.stop();
      await t.gateways[0]!.start();
    }
  }, 60_000);

  it('a firehose reader whose instance is killed -9 gets exactly the rest from the other with ?after=', async () => {
    const reference = new Recorder(fhFeed(0));
    const reader = new Recorder(fhFeed(1));
    await waitFor(() => reader.liquidations().length >= 5 && reference.liquidations().length >= 5, { timeoutMs: 20_000, what: 'liquidations on both instances' });
    await t.firehoses[1]!.kill();
    const last = reader.liquidations().at(-1)!.seq;
    const resumed = new Recorder(fhFeed(0, last));
    const target = last + 15;
    await waitFor(() => (resumed.liquidations().at(-1)?.seq ?? 0) >= target && (reference.liquidations().at(-1)?.seq ?? 0) >= target, { timeoutMs: 30_000, what: `seq ${target} on both readers` });
    const before = reader.liquidations();
    const after = resumed.liquidations().filter((x) => x.seq <= target);
    // no loss, no duplicate across the failover
    expectContiguous([...before, ...after].map((x) => x.seq));
    expect(after[0]!.seq).toBe(last + 1);
    // the seq names the same liquidation on every instance
    const byRef = new Map(reference.liquidations().map((x) => [x.seq, x.id]));
    for (const x of [...before, ...after]) if (byRef.has(x.seq)) expect(x.id, `seq ${x.seq}`).toBe(byRef.get(x.seq));
    expect(after.filter((x) => byRef.has(x.seq)).length).toBeGreaterThan(10);
    for (const r of [reference, reader, resumed]) r.close();
    await t.firehoses[1]!.start();
  }, 60_000);
});
