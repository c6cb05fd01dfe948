/**
 * Two collector lines (A and B) for the same venue on the simulator, and a merger (issue 14
 * item 3): when line A dies (silently, or with its goodbye), the merger takes the venue book from
 * line B with no STALE alert, no gap in consensus updates beyond 1 s, and the client's book still
 * equal to the truth; the switches are counted.
 */
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { decodeJson, subjects, VENUE_LIQ_STREAM } from '../../libs/bus/index.js';
import { canonicalDecimal, type AlertMessage, type ConsensusBookMessage, type LiquidationMessage } from '../../libs/core/index.js';
import { main as collectorMain } from '../../services/collector/main.js';
import { loadSimulatorConfig } from '../../services/simulator/config.js';
import { startSimulator } from '../../services/simulator/simulator.js';
import { startNats, type TestNats } from '../helpers/nats.js';
import { sleep, waitFor } from '../helpers/waits.js';
import { ConsensusFollower, freezableProxy, startHaMerger, type RunningMerger } from './merger-ha-harness.js';

const VENUE = 'binance-usdm';
const DEPTH = 20;

let nats: TestNats;
let nc: NatsConnection;
let sim: Awaited<ReturnType<typeof startSimulator>>;
const stops: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  sim = await startSimulator(loadSimulatorConfig({ SIM_PORT: '0', SIM_VENUES: VENUE, SIM_BOOK_UPDATES_PER_S: '200', SIM_LIQUIDATIONS_PER_S: '5', SIM_SEED: '11' }));
});
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});
afterAll(async () => {
  await nc?.close();
  sim?.world.stop();
  await sim?.server.close();
  await nats?.dispose();
});

async function line(name: 'A' | 'B', natsUrl: string): Promise<{ url: string; stop(): Promise<void> }> {
  const c = await collectorMain({ NATS_URL: natsUrl, COLLECTOR_VENUES: VENUE, COLLECTOR_BASES: 'BTC', COLLECTOR_DEPTH: '50', COLLECTOR_SIMULATOR_URL: sim.server.url, COLLECTOR_PORT: '0', COLLECTOR_LINE: name, LOG_LEVEL: 'silent' });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await c.stop();
  };
  stops.push(stop);
  return { url: c.listening.collector, stop };
}

async function control(action: string, extra: Record<string, unknown> = {}): Promise<void> {
  await fetch(`${sim.server.url}/control`, { method: 'POST', body: JSON.stringify({ venue: VENUE, action, ...extra }) });
}

async function truth(): Promise<{ bids: [string, string][]; asks: [string, string][] }> {
  const t = (await (await fetch(`${sim.server.url}/truth/${VENUE}/BTC-USDT?depth=${DEPTH}`)).json()) as { bids: [string, string][]; asks: [string, string][] };
  const canon = (ls: [string, string][]) => ls.map(([p, q]) => [canonicalDecimal(p), canonicalDecimal(q)] as [string, string]);
  return { bids: canon(t.bids), asks: canon(t.asks) };
}

async function setUp(lineAUrl: string) {
  const follower = new ConsensusFollower();
  const arrivals: number[] = [];
  const alerts: AlertMessage[] = [];
  const subs = [
    nc.subscribe(subjects.consensusBook('BTC-USD'), {
      callback: (_e, m) => {
        arrivals.push(performance.now());
        follower.apply(decodeJson(m.data) as ConsensusBookMessage);
      },
    }),
    nc.subscribe(subjects.consensusAlert('BTC-USD'), { callback: (_e, m) => alerts.push(decodeJson(m.data) as AlertMessage) }),
  ];
  stops.push(async () => subs.forEach((s) => s.unsubscribe()));
  // line A first, so the merger takes the book from it; line B joins warm
  const a = await line('A', lineAUrl);
  const merger: RunningMerger = await startHaMerger(nats.url, { CONSENSUS_GROUPS: `BTC-USD@0.1/${DEPTH}=${VENUE}`, STALE_AFTER_MS: '1500', MERGER_LINE_SILENCE_MS: '400' });
  stops.push(() => merger.stop());
  await waitFor(() => follower.bids.size >= DEPTH, { what: 'a full consensus book', timeoutMs: 20_000 });
  const b = await line('B', nats.url);
  const book = `${VENUE}.BTC-USDT`;
  await waitFor(async () => {
    const h = (await merger.health()) as unknown as { venue_lines: Record<string, { line: string; in_sequence: string[] }> };
    return h.venue_lines[book]?.line === 'A' && h.venue_lines[book].in_sequence.join() === 'A,B';
  }, { what: 'line A chosen, both lines in sequence', timeoutMs: 20_000, intervalMs: 100 });
  return { a, b, merger, follower, arrivals, alerts };
}

/** Longest wait between consensus messages from `from` until `to`. */
function longestGap(arrivals: number[], from: number, to: number): number {
  const inside = arrivals.filter((t) => t >= from && t <= to);
  let gap = 0;
  let prev = from;
  for (const t of inside) {
    gap = Math.max(gap, t - prev);
    prev = t;
  }
  return Math.max(gap, to - prev);
}

async function expectTruth(follower: ConsensusFollower): Promise<void> {
  await control('silence', { ms: 60_000 });
  await sleep(400);
  try {
    const t = await truth();
    const got = follower.levels();
    expect({ bids: got.bids.slice(0, DEPTH), asks: got.asks.slice(0, DEPTH) }).toEqual(t);
    expect(follower.breaks).toBe(0);
  } finally {
    await control('resume');
  }
}

/**
 * Line A fails (`fail`): the merger switches to B for `reason`, consensus updates never pause for
 * 1 s, no STALE or RESYNC alert, and the followed book is the truth.
 */
async function expectSwitchToB(s: Awaited<ReturnType<typeof setUp>>, reason: 'silent' | 'down', fail: () => unknown): Promise<void> {
  const t = performance.now();
  await fail();
  const switches = new RegExp(`bookfuse_merger_line_switches_total\\{[^}]*reason="${reason}"[^}]*\\} 1`);
  await waitFor(async () => switches.test(await s.merger.metrics()), { what: `a ${reason}-line switch`, timeoutMs: 5000, intervalMs: 20 });
  const switched = performance.now() - t;
  await sleep(1000);
  const gap = longestGap(s.arrivals, t, performance.now());
  console.log(`line A ${reason}: switched to B after ${switched.toFixed(0)} ms; longest gap in consensus updates ${gap.toFixed(0)} ms`);
  expect(gap).toBeLessThan(1000);
  expect(s.alerts.filter((a) => a.kind === 'STALE' || a.kind === 'RESYNC')).toEqual([]);
  await expectTruth(s.follower);
}

describe('two collector lines for one venue', () => {
  it('each collector names its line in /healthz', async () => {
    const a = await line('A', nats.url);
    const b = await line('B', nats.url);
    expect(await (await fetch(`${a.url}/healthz`)).json()).toMatchObject({ ok: true, line: 'A', venues: [VENUE] });
    expect(await (await fetch(`${b.url}/healthz`)).json()).toMatchObject({ ok: true, line: 'B' });
  });

  it('both lines publish the same liquidations; the collectors\' stream stores each once', async () => {
    const seen = new Map<string, Set<string>>();
    const sub = nc.subscribe(subjects.allLiqs(), {
      callback: (_e, m) => {
        const l = decodeJson(m.data) as LiquidationMessage;
        if (!seen.has(l.id)) seen.set(l.id, new Set());
        seen.get(l.id)!.add(l.line ?? '?');
      },
    });
    stops.push(async () => sub.unsubscribe());
    await line('A', nats.url);
    await line('B', nats.url);
    await waitFor(() => [...seen.values()].filter((lines) => lines.size === 2).length >= 5, { what: 'five liquidations from both lines', timeoutMs: 20_000, intervalMs: 100 });
    const jsm = await nc.jetstreamManager();
    const { state } = await jsm.streams.info(VENUE_LIQ_STREAM);
    const stored: string[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(VENUE_LIQ_STREAM, { seq }).catch(() => undefined);
      if (m) stored.push((decodeJson(m.data) as LiquidationMessage).id);
    }
    const both = [...seen].filter(([, lines]) => lines.size === 2).map(([id]) => id);
    for (const id of both) expect(stored.filter((x) => x === id), id).toHaveLength(1);
  });

  it('line A dies silently: the merger switches to B within the silence, no STALE, the book stays true', async () => {
    const proxy = await freezableProxy(nats.port);
    stops.push(() => proxy.close());
    const s = await setUp(proxy.url);
    stops.push(async () => proxy.thaw()); // so line A can say goodbye when the test ends
    // line A's process hangs: no more messages, no goodbye
    await expectSwitchToB(s, 'silent', () => proxy.freeze());
    expect(await s.merger.metrics()).toMatch(/bookfuse_merger_venue_line\{[^}]*line="B"[^}]*\} 1/);
  });

  it('line A stops with its goodbye (status down): the switch is immediate, no STALE', async () => {
    const s = await setUp(nats.url);
    await expectSwitchToB(s, 'down', () => s.a.stop());
  });
});
