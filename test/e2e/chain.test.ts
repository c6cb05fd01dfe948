/**
 * The whole chain on real NATS, each part through its real `main()`:
 * simulator → collector → NATS → merger → NATS → gateway → WebSocket client, and
 * merger → JetStream → firehose → WebSocket client; then the same with the collector and the
 * merger in one process (`bookfuse colocated`, #17.4), which must give the same exact book and
 * still publish the venue books on NATS for everyone else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { NatsConnection } from 'nats';
import { closeBus, connectBus, decodeJson, subjects } from '../../libs/bus/index.js';
import { Decimal } from '../../libs/core/index.js';
import { startNats, type TestNats } from '../helpers/nats.js';
import { sleep, waitFor } from '../helpers/waits.js';
import { main as simulatorMain } from '../../services/simulator/main.js';
import { main as collectorMain } from '../../services/collector/main.js';
import { main as mergerMain } from '../../services/merger/main.js';
import { main as gatewayMain } from '../../services/gateway/main.js';
import { main as firehoseMain } from '../../services/firehose/main.js';
import { main as colocatedMain } from '../../services/cli/colocated.js';

type Running = { stop(): Promise<void>; listening: Record<string, string> };
type Level = [string, string, Record<string, string>?];
interface Frame {
  type: string;
  payload: { symbol?: string; seq?: number; epoch?: number; bids?: Level[]; asks?: Level[] };
}
interface Liq {
  id: string;
  seq: number;
  venue: string;
  symbol: string;
  side: string;
  liquidated: string;
  price: string;
  qty: string;
  notional_usd: string;
  coverage: string;
}

const DEPTH = 25;
const KEY = 'e2e-key';

/** The client side of the consensus protocol: snapshot, then deltas in seq order. */
class ConsensusClient {
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();
  seq = -1;
  epoch = -1;
  levelUpdates = 0;
  gaps = 0;
  lastMessageAt = 0;
  readonly ws: WebSocket;

  constructor(url: string) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws.on('message', (d) => this.onFrame(JSON.parse(d.toString()) as Frame));
  }

  private onFrame(f: Frame): void {
    if (f.type === 'PING') this.ws.send(JSON.stringify({ type: 'PONG' }));
    if (f.type !== 'SNAPSHOT' && f.type !== 'BOOK') return;
    this.lastMessageAt = Date.now();
    const p = f.payload;
    if (f.type === 'SNAPSHOT') {
      this.bids.clear();
      this.asks.clear();
      this.epoch = p.epoch!;
    } else if (p.seq !== this.seq + 1 || p.epoch !== this.epoch) {
      this.gaps++;
    }
    this.seq = p.seq!;
    for (const [price, total] of p.bids ?? []) this.set(this.bids, price, total);
    for (const [price, total] of p.asks ?? []) this.set(this.asks, price, total);
  }

  private set(m: Map<string, string>, price: string, total: string): void {
    this.levelUpdates++;
    if (new Decimal(total).isZero()) m.delete(price);
    else m.set(price, total);
  }

  top(depth: number) {
    const sorted = (m: Map<string, string>, desc: boolean) =>
      [...m.entries()].sort((a, b) => (desc ? new Decimal(b[0]).cmp(a[0]) : new Decimal(a[0]).cmp(b[0]))).slice(0, depth);
    return { bids: sorted(this.bids, true), asks: sorted(this.asks, false) };
  }
}

describe.each(['standard', 'colocated'] as const)('end to end (%s): simulated binance-usdm to a widget client and a firehose client', (topology) => {
  let nats: TestNats;
  const parts: Running[] = [];
  let sim: Running & { world?: { published(v: string): { liq: number } | undefined } };
  let gatewayWs = '';
  let tap: NatsConnection;
  /** liquidation ids as the collector published them, in order */
  const collected: string[] = [];
  /** venue book messages seen on NATS by a bystander */
  let venueBooks = 0;
  let firehoseUrl = '';
  let simUrl = '';
  let mergerOps = '';

  beforeAll(async () => {
    nats = await startNats();
    const base = { NATS_URL: nats.url, LOG_LEVEL: 'warn' };
    tap = await connectBus({ url: nats.url, name: 'e2e-tap' });
    tap.subscribe(subjects.liq('binance-usdm', 'BTC-USDT'), { callback: (_e, m) => collected.push((decodeJson(m.data) as { id: string }).id) });
    tap.subscribe(subjects.book('binance-usdm', 'BTC-USDT'), { callback: () => venueBooks++ });
    sim = (await simulatorMain({ ...base, SIM_PORT: '0', SIM_VENUES: 'binance-usdm', SIM_BASES: 'BTC', SIM_SEED: '11', SIM_BOOK_UPDATES_PER_S: '800', SIM_LIQUIDATIONS_PER_S: '4' })) as typeof sim;
    parts.push(sim);
    simUrl = sim.listening['control']!.replace(/\/control$/, '');
    // consumers first, so nothing published is missed
    const firehose = await firehoseMain({ ...base, FIREHOSE_PORT: '0', FIREHOSE_API_KEYS: KEY });
    parts.push(firehose);
    // after=0: replay the log from its first entry, then live, so nothing published before the
    // client connects is missed however slowly the test starts
    firehoseUrl = `${firehose.listening['firehose']!.replace(/^http/, 'ws')}/ws/v1/liquidation/feed?token=${KEY}&after=0`;
    const gateway = await gatewayMain({ ...base, GATEWAY_PORT: '0', GATEWAY_API_KEYS: KEY, GATEWAY_SYMBOLS: 'BTC-USD' });
    parts.push(gateway);
    gatewayWs = gateway.listening['ws']!;
    const mergerEnv = { MERGER_PORT: '0', CONSENSUS_GROUPS: `BTC-USD@0.1/${DEPTH}=binance-usdm:BTC-USDT` };
    const collectorEnv = { COLLECTOR_PORT: '0', COLLECTOR_VENUES: 'binance-usdm', COLLECTOR_BASES: 'BTC', COLLECTOR_DEPTH: '100', COLLECTOR_SIMULATOR_URL: simUrl };
    if (topology === 'colocated') {
      const both = await colocatedMain({ ...base, ...mergerEnv, ...collectorEnv });
      parts.push(both);
      mergerOps = new URL(both.listening['merger']!).origin;
    } else {
      parts.push(await mergerMain({ ...base, ...mergerEnv }));
      parts.push(await collectorMain({ ...base, ...collectorEnv }));
    }
  }, 60_000);

  afterAll(async () => {
    for (const p of parts.reverse()) await p.stop().catch(() => undefined);
    await closeBus(tap);
    await nats?.dispose();
  });

  it('keeps the client book equal to the simulator truth after thousands of updates, and delivers every liquidation in order', async () => {
    const liqs: Liq[] = [];
    const fh = new WebSocket(firehoseUrl, { perMessageDeflate: false });
    fh.on('message', (d) => {
      const m = JSON.parse(d.toString()) as Liq & { type?: string };
      if (m.id && m.venue) liqs.push(m);
    });
    await new Promise((r, j) => {
      fh.once('open', r);
      fh.once('error', j);
    });

    const client = new ConsensusClient(`${gatewayWs}?token=${KEY}&symbols=BTC-USD&depth=${DEPTH}`);
    await waitFor(() => client.levelUpdates >= 3000, { timeoutMs: 60_000, what: '3000 consensus level updates at the client' });

    // Freeze the venue, let the pipeline drain, compare exactly.
    // silent until the resume below, however long the checks take under load
    await fetch(`${simUrl}/control`, { method: 'POST', body: JSON.stringify({ venue: 'binance-usdm', action: 'silence', ms: 60_000 }) });
    await waitFor(() => Date.now() - client.lastMessageAt > 400, { timeoutMs: 3000, what: 'the client to go quiet' });
    const truth = (await (await fetch(`${simUrl}/truth/binance-usdm/BTC-USDT?depth=${DEPTH}`)).json()) as { bids: string[][]; asks: string[][] };
    expect(client.top(DEPTH)).toEqual({ bids: truth.bids, asks: truth.asks });
    expect(client.gaps).toBe(0);
    // co-located or not, the venue books are on NATS for other consumers
    expect(venueBooks).toBeGreaterThan(100);
    if (topology === 'colocated') {
      // …and the merger took them in process, not from NATS
      const health = (await (await fetch(`${mergerOps}/healthz`)).json()) as { colocated: boolean; local_deliveries: number };
      expect(health.colocated).toBe(true);
      expect(health.local_deliveries).toBeGreaterThan(100);
    }

    // Every liquidation that entered the system (the collector published it) reached the firehose
    // client once, in the order published. The simulator also generates some before the
    // collector's socket is up; those never enter, so its count is only an upper bound.
    const emitted = sim.world!.published('binance-usdm')!.liq;
    await waitFor(() => liqs.length >= collected.length && collected.length > 5, { timeoutMs: 5000, what: `the collector's ${collected.length} liquidations at the firehose client` });
    await sleep(200);
    expect(liqs.map((l) => l.id.replace(/^binance-usdm:/, ''))).toEqual(collected);
    expect(collected.length).toBeLessThanOrEqual(emitted);
    const seqs = liqs.map((l) => l.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    for (const l of liqs) {
      expect(l.venue).toBe('binance-usdm');
      expect(l.symbol).toBe('BTC-USDT');
      expect(l.coverage).toBe('sampled');
      expect(new Decimal(l.notional_usd).eq(new Decimal(l.price).mul(l.qty))).toBe(true);
    }
    client.ws.close();
    fh.close();
    await fetch(`${simUrl}/control`, { method: 'POST', body: JSON.stringify({ venue: 'binance-usdm', action: 'resume' }) });
  }, 90_000);
});
