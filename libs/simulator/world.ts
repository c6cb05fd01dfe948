/**
 * The simulated venues: one VenueSimulator per venue, a SyntheticMarket per instrument (or a
 * recorded capture), a clock that steps them, and the fault switches of the control endpoint.
 * IO-free apart from timers; server.ts puts it on HTTP and WebSocket.
 */
import { BookfuseError, convertDecimal, type Level } from '../core/index.js';
import { SyntheticMarket, DEFAULT_RATES, type MarketRates } from './market.js';
import type { MarketEvent, SimClient, SimInstrumentSpec, VenueSimulator, VenueSimulatorFactory } from './types.js';
import type { CaptureLine } from '../core/index.js';
import { LiquidationRecord, type SentLiquidation } from './liquidation-record.js';

export interface SimVenueConfig {
  venue: string;
  factory: VenueSimulatorFactory;
  specs: SimInstrumentSpec[];
  /** how often the market steps and the venue pushes (venue cadence) */
  intervalMs: number;
  rates?: Partial<MarketRates>;
  /** serve this recording instead of a synthetic market */
  capture?: CaptureLine[];
  /** false: the venue publishes no liquidations (its simulator drops them), so none are recorded as sent */
  liquidations?: boolean;
}

export type ControlAction = 'drop' | 'skip_seq' | 'silence' | 'shift_price' | 'resume';

export interface ControlRequest {
  venue: string;
  action: ControlAction;
  ms?: number;
  bps?: number;
}

interface VenueState {
  cfg: SimVenueConfig;
  sim: VenueSimulator;
  markets: Map<string, SyntheticMarket>;
  clients: Set<SimClient>;
  silencedUntil: number;
  /** new connections refused until then (after `drop` with ms) */
  refuseUntil: number;
  shiftedBps: number;
  timer?: NodeJS.Timeout;
  startTimer?: NodeJS.Timeout;
  lastStep: number;
  captureTimer?: NodeJS.Timeout;
  /** events published since start, by kind */
  published: { book: number; trade: number; liq: number };
}

export class SimWorld {
  private readonly venues = new Map<string, VenueState>();
  private readonly clock: () => number;
  private readonly sentLiqs = new LiquidationRecord();

  constructor(configs: SimVenueConfig[], opts: { seed: number; now?: () => number }) {
    this.clock = opts.now ?? Date.now;
    let seed = opts.seed;
    for (const cfg of configs) {
      const markets = new Map<string, SyntheticMarket>();
      const rates = { ...DEFAULT_RATES, ...cfg.rates };
      for (const spec of cfg.specs) markets.set(spec.venueSymbol, new SyntheticMarket(spec, rates, seed++));
      const view = {
        book: (venueSymbol: string, depth: number) => {
          const m = markets.get(venueSymbol);
          return m ? m.truth(depth) : { bids: [], asks: [] };
        },
        now: () => this.clock(),
      };
      this.venues.set(cfg.venue, { cfg, sim: cfg.factory(cfg.specs, view), markets, clients: new Set(), silencedUntil: 0, refuseUntil: 0, shiftedBps: 0, lastStep: this.clock(), published: { book: 0, trade: 0, liq: 0 } });
    }
  }

  venueIds(): string[] {
    return [...this.venues.keys()];
  }

  simulator(venue: string): VenueSimulator | undefined {
    return this.venues.get(venue)?.sim;
  }

  /**
   * Begin stepping markets (or streaming captures) on timers. Real venues are not phase-locked,
   * so each venue's first push is offset by a different fraction of its interval; otherwise every
   * venue would burst into the collector in the same millisecond.
   */
  start(): void {
    const live = [...this.venues.values()].filter((v) => !v.cfg.capture); // captures stream per connection
    live.forEach((v, i) => {
      v.lastStep = this.clock();
      const phase = Math.floor((v.cfg.intervalMs * i) / live.length);
      v.startTimer = setTimeout(() => {
        v.timer = setInterval(() => this.step(v), v.cfg.intervalMs);
      }, phase);
    });
  }

  stop(): void {
    for (const v of this.venues.values()) {
      if (v.startTimer) clearTimeout(v.startTimer);
      if (v.timer) clearInterval(v.timer);
      for (const c of v.clients) c.close(1001, 'simulator stopping');
      v.clients.clear();
    }
  }

  /** Advance one venue by the time since its last step (also callable directly in tests). */
  step(v: VenueState, now = this.clock()): void {
    const dt = now - v.lastStep;
    v.lastStep = now;
    if (now < v.silencedUntil) return; // silent: the market holds still, nothing is sent
    for (const m of v.markets.values()) {
      for (const e of m.step(dt, now)) {
        v.published[e.type]++;
        v.sim.publish(e);
        if (e.type === 'liq' && v.cfg.liquidations !== false) this.recordLiq(v, e);
      }
    }
  }

  /** How many events each venue has published (for tests and the demo's sanity checks). */
  published(venue: string): { book: number; trade: number; liq: number } | undefined {
    const v = this.venues.get(venue);
    return v && { ...v.published };
  }

  /** Liquidations the venues have sent (GET /truth/liquidations), oldest first. */
  sentLiquidations(venue: string | undefined, since: number): SentLiquidation[] {
    if (venue !== undefined && !this.venues.has(venue)) throw new BookfuseError('BAD_MESSAGE', `unknown venue ${JSON.stringify(venue)}; simulated: ${this.venueIds().join(', ')}`);
    return this.sentLiqs.list(venue, since);
  }

  private recordLiq(v: VenueState, e: Extract<MarketEvent, { type: 'liq' }>): void {
    const inst = v.sim.instruments.find((i) => i.venueSymbol === e.venueSymbol);
    if (inst) this.sentLiqs.add(v.cfg.venue, inst.symbol, e);
  }

  /** A WebSocket client connected to a venue; returns false when it must be refused. */
  connect(venue: string, client: SimClient): boolean {
    const v = this.venues.get(venue);
    if (!v || this.clock() < v.refuseUntil) return false;
    v.clients.add(client);
    if (v.cfg.capture) this.streamCapture(v, client);
    return true;
  }

  disconnect(venue: string, client: SimClient): void {
    this.venues.get(venue)?.clients.delete(client);
  }

  /** REST for a venue: a recorded body in capture mode, the simulator otherwise. */
  rest(venue: string, method: string, path: string, query: URLSearchParams, body: unknown): { status: number; body: unknown } | undefined {
    const v = this.venues.get(venue);
    if (!v) return undefined;
    if (v.cfg.capture) {
      const want = `${path}?${query.toString()}`;
      const hit = v.cfg.capture.find((l) => l.src === 'rest' && l.url && sameRequest(l.url, want));
      if (hit) return { status: 200, body: hit.body };
    }
    return v.sim.handleRest(method, path, query, body);
  }

  control(req: ControlRequest): { ok: true; venue: string; action: ControlAction } {
    const v = this.venues.get(req.venue);
    if (!v) throw new BookfuseError('BAD_MESSAGE', `unknown venue ${JSON.stringify(req.venue)}; simulated: ${this.venueIds().join(', ')}`);
    const now = this.clock();
    switch (req.action) {
      case 'drop':
        for (const c of [...v.clients]) c.close(1012, 'simulated drop');
        v.clients.clear();
        v.refuseUntil = now + (req.ms ?? 0);
        break;
      case 'skip_seq':
        v.sim.skipSequence();
        break;
      case 'silence':
        v.silencedUntil = now + (req.ms ?? 10_000);
        break;
      case 'shift_price': {
        const bps = req.bps ?? 50;
        this.shift(v, bps, now);
        break;
      }
      case 'resume':
        v.silencedUntil = 0;
        v.refuseUntil = 0;
        if (v.shiftedBps !== 0) this.shift(v, -v.shiftedBps, now);
        break;
      default:
        throw new BookfuseError('BAD_MESSAGE', `unknown action ${JSON.stringify(req.action)}; use drop, skip_seq, silence, shift_price, resume`);
    }
    return { ok: true, venue: req.venue, action: req.action };
  }

  /** The true book in canonical units (base-asset sizes, quote per base prices). */
  truth(venue: string, symbol: string, depth: number): { venue: string; symbol: string; venue_symbol: string; bids: Level[]; asks: Level[]; ts: number } | null {
    const v = this.venues.get(venue);
    const inst = v?.sim.instruments.find((i) => i.symbol === symbol);
    const m = inst && v?.markets.get(inst.venueSymbol);
    if (!v || !inst || !m || !inst.conversion) return null;
    const conv = inst.conversion;
    const t = m.truth(depth);
    const map = (l: Level): Level => [convertDecimal(l[0], conv.price), convertDecimal(l[1], conv.size)];
    return { venue, symbol, venue_symbol: inst.venueSymbol, bids: t.bids.map(map), asks: t.asks.map(map), ts: this.clock() };
  }

  private shift(v: VenueState, bps: number, now: number): void {
    v.shiftedBps += bps;
    for (const m of v.markets.values()) v.sim.publish(m.shift(bps, now));
  }

  private streamCapture(v: VenueState, client: SimClient): void {
    const lines = v.cfg.capture!.filter((l) => l.src === 'ws');
    if (lines.length === 0) return;
    const t0 = lines[0]!.t;
    const start = this.clock();
    let i = 0;
    const pump = () => {
      if (!v.clients.has(client)) return;
      const elapsed = this.clock() - start;
      while (i < lines.length && lines[i]!.t - t0 <= elapsed) client.send(lines[i++]!.raw);
      if (i < lines.length) setTimeout(pump, Math.max(1, Math.min(50, lines[i]!.t - t0 - elapsed)));
    };
    pump();
  }
}

function sameRequest(recordedUrl: string, want: string): boolean {
  try {
    const u = new URL(recordedUrl);
    const w = new URL(want, 'http://x');
    if (u.pathname !== w.pathname) return false;
    for (const [k, val] of w.searchParams) if (k !== 'limit' && u.searchParams.get(k) !== val) return false;
    return true;
  } catch {
    return false;
  }
}
