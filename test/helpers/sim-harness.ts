/**
 * A venue simulator driven in-process and deterministically: seeded SyntheticMarkets stepped by
 * hand, every event handed to the venue simulator as the world would, and clients that collect
 * what the simulator sends. Protocol tests read frames and the true book at the same instant.
 */
import { DEFAULT_RATES, SyntheticMarket, type MarketRates, type MarketEvent, type SimClient, type SimInstrumentSpec, type SimSession, type SimWorldView, type VenueSimulator, type VenueSimulatorFactory } from '../../libs/simulator/index.js';
import type { Instrument } from '../../libs/core/index.js';
import { fetchMetadataBodies, type ConnectionSpec, type VenueAdapter, type VenueModule, VenueEngine, type EngineOutput } from '../../libs/venues/index.js';

export interface CollectingClient extends SimClient {
  frames: string[];
  closed: boolean;
  /** frames received since the last take() */
  take(): string[];
}

export function collectingClient(): CollectingClient {
  let read = 0;
  const c: CollectingClient = {
    frames: [],
    closed: false,
    send: (text) => void c.frames.push(text),
    close: () => void (c.closed = true),
    take: () => c.frames.slice(read, (read = c.frames.length)),
  };
  return c;
}

export interface SimHarness {
  sim: VenueSimulator;
  now(): number;
  /** advance every market by `ms` and publish its events; returns them */
  step(ms: number): MarketEvent[];
  truth(venueSymbol: string, depth: number): { bids: [string, string][]; asks: [string, string][] };
}

export function simHarness(factory: VenueSimulatorFactory, specs: SimInstrumentSpec[], rates: Partial<MarketRates> = {}, seed = 7): SimHarness {
  let clock = 1_733_011_200_000;
  const markets = new Map(specs.map((s, i) => [s.venueSymbol, new SyntheticMarket(s, { ...DEFAULT_RATES, ...rates }, seed + i)]));
  const view: SimWorldView = {
    book: (sym, depth) => markets.get(sym)?.truth(depth) ?? { bids: [], asks: [] },
    now: () => clock,
  };
  const sim = factory(specs, view);
  return {
    sim,
    now: () => clock,
    step(ms) {
      clock += ms;
      const events = [...markets.values()].flatMap((m) => m.step(ms, clock));
      for (const e of events) sim.publish(e);
      return events;
    },
    truth: (sym, depth) => view.book(sym, depth),
  };
}

export interface EngineOnSim {
  conn: ConnectionSpec;
  client: CollectingClient;
  session: SimSession;
  engine: VenueEngine;
  outs: EngineOutput[];
  /** feed every frame the simulator sent so far to the engine */
  drain(): void;
  /** step the markets by `ms`, then drain */
  run(ms: number): MarketEvent[];
}

/**
 * The collector's loop in miniature: one session opened on the adapter's first connection and
 * subscribed with its frames, an engine fed with what the simulator sends, REST snapshots fetched
 * and resubscriptions sent the moment the engine asks.
 */
export function engineOnSim(h: SimHarness, adapter: VenueAdapter<unknown>, instruments: Instrument[], depth: number): EngineOnSim {
  const [conn] = adapter.connections(instruments, { depth });
  if (!conn) throw new Error('the adapter opened no connection');
  const client = collectingClient();
  const url = new URL(conn.path, 'http://sim');
  const session = h.sim.openSession(url.pathname, url.searchParams, client);
  const engine = new VenueEngine(adapter, instruments, { depth });
  engine.onConnect(conn.symbols);
  const outs: EngineOutput[] = [];
  const handle = (o: EngineOutput[]): void => {
    for (const x of o) {
      outs.push(x);
      if (x.type === 'resubscribe') for (const f of adapter.resubscribe(conn, x.venueSymbol)) session.onMessage(f);
      if (x.type !== 'fetch-snapshot' || !adapter.snapshotRequest) continue;
      const req = adapter.snapshotRequest(x.venueSymbol, depth);
      const u = new URL(req.path, 'http://sim');
      const r = h.sim.handleRest(req.method, u.pathname, u.searchParams, req.body);
      if (r) handle(engine.onSnapshot(x.venueSymbol, r.body, h.now()));
    }
  };
  const drain = () => {
    for (const f of client.take()) handle(engine.onFrame(f, h.now()));
  };
  for (const f of conn.subscribe) session.onMessage(f);
  drain();
  return {
    conn,
    client,
    session,
    engine,
    outs,
    drain,
    run(ms) {
      const events = h.step(ms);
      drain();
      return events;
    },
  };
}

export interface VenueOnSim extends EngineOnSim {
  h: SimHarness;
  adapter: VenueAdapter<unknown>;
  instruments: Instrument[];
  /** call the simulator's REST side (GET unless told) */
  rest(path: string, method?: string, body?: unknown): { status: number; body: unknown };
  /** every instrument's book is live and its top `depth` (venue units) equals the simulator's truth */
  matchesTruth(): boolean;
}

export interface VenueOnSimOptions {
  bases?: string[];
  rates?: Partial<MarketRates>;
  depth: number;
  /** a differently configured adapter of the same venue */
  adapter?: VenueAdapter<unknown>;
  /** a differently configured simulator of the same venue */
  simulator?: VenueSimulatorFactory;
}

/**
 * A registered venue wired as the collector runs it, against its own simulator: instruments read
 * through the simulator's metadata endpoints (pages followed), the first connection subscribed,
 * an engine fed with every frame and answered on every snapshot request.
 */
export async function venueOnSim(module: VenueModule, opts: VenueOnSimOptions): Promise<VenueOnSim> {
  if (!module.simulator) throw new Error(`${module.id} has no simulator`);
  const adapter = opts.adapter ?? module.createAdapter();
  const h = simHarness(opts.simulator ?? module.simulator.create, module.simulator.specs(opts.bases ?? ['BTC', 'ETH']), opts.rates);
  const rest = (path: string, method = 'GET', body?: unknown) => {
    const u = new URL(path, 'http://sim');
    const r = h.sim.handleRest(method, u.pathname, u.searchParams, body);
    if (!r) throw new Error(`no simulator route for ${method} ${path}`);
    return r;
  };
  const instruments = adapter.parseInstruments(await fetchMetadataBodies(adapter, async (r) => rest(r.path, r.method, r.body).body));
  const on = engineOnSim(h, adapter, instruments, opts.depth);
  // the connections beyond the first (e.g. USD-M trades on /market) feed the same engine
  const others = adapter.connections(instruments, { depth: opts.depth }).slice(1).map((conn) => {
    const client = collectingClient();
    const url = new URL(conn.path, 'http://sim');
    const session = h.sim.openSession(url.pathname, url.searchParams, client);
    for (const f of conn.subscribe) session.onMessage(f);
    return client;
  });
  const drain = () => {
    on.drain();
    for (const c of others) for (const f of c.take()) on.outs.push(...on.engine.onFrame(f, h.now()));
  };
  const run = (ms: number) => {
    const events = h.step(ms);
    drain();
    return events;
  };
  const matchesTruth = () =>
    instruments.every((i) => {
      const entry = on.engine.books.get(i.venueSymbol);
      if (entry?.state !== 'live') return false;
      const depth = Math.min(opts.depth, entry.sync.exactDepth);
      const t = h.truth(i.venueSymbol, depth);
      return JSON.stringify([entry.sync.book.levels(true, depth), entry.sync.book.levels(false, depth)]) === JSON.stringify([t.bids, t.asks]);
    });
  return { ...on, drain, run, h, adapter, instruments, rest, matchesTruth };
}

/** `[code, venueSymbol]` of every problem output. */
export const problemsOf = (outs: EngineOutput[]) => outs.flatMap((o) => (o.type === 'problem' ? [[o.code, o.venueSymbol]] : []));

/** The venue symbols of every output of one kind, in order. */
export const symbolsOf = (outs: EngineOutput[], type: 'fetch-snapshot' | 'resubscribe') => outs.flatMap((o) => (o.type === type ? [o.venueSymbol] : []));

/** Run `steps` steps, withhold the next book frame of every symbol (`atSkip` sees the moment), run again; the outputs since the skip. */
export function withheldOnce(v: { h: SimHarness; outs: EngineOutput[]; run(ms: number): unknown }, atSkip: () => void = () => {}, steps = 10, stepMs = 50): EngineOutput[] {
  for (let i = 0; i < steps; i++) v.run(stepMs);
  atSkip();
  const from = v.outs.length;
  v.h.sim.skipSequence();
  for (let i = 0; i < steps; i++) v.run(stepMs);
  return v.outs.slice(from);
}
