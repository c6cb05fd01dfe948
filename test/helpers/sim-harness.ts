/**
 * A venue simulator driven in-process and deterministically: seeded SyntheticMarkets stepped by
 * hand, every event handed to the venue simulator as the world would, and clients that collect
 * what the simulator sends. Protocol tests read frames and the true book at the same instant.
 */
import { DEFAULT_RATES, SyntheticMarket, type MarketRates } from '../../libs/simulator/market.js';
import type { MarketEvent, SimClient, SimInstrumentSpec, SimWorldView, VenueSimulator, VenueSimulatorFactory } from '../../libs/simulator/types.js';

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
