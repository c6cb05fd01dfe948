/**
 * What one venue folder exports: its adapter factory and, for offline use, its simulator.
 * `options` are the venue's own tunables from configuration (`<VENUE>_OPTIONS` JSON), so what
 * venues change often (paths, depths, cadences) never needs a code change.
 */
import type { InstrumentKind, VenueId } from '../core/index.js';
import type { SimInstrumentSpec, VenueSimulatorFactory } from '../simulator/index.js';
import type { VenueAdapter } from './adapter.js';

/** What the consensus needs of a venue; the merger and the default groups read it here. */
export interface VenueConsensusFacts {
  readonly kind: InstrumentKind;
  /** the USD-like quote a bare venue id in a consensus group stands for (BTC → BTC-USDT) */
  readonly usdQuote: string;
  /** staleness the merger defaults to for this venue: its push cadence decides it */
  readonly staleAfterMs: number;
  /** a member of the default consensus groups (BTC-USD, ETH-USD) */
  readonly defaultMember: boolean;
}

export interface VenueModule {
  readonly id: VenueId;
  readonly consensus: VenueConsensusFacts;
  /** folder of its recordings under shared/fixtures/venues (exchange-wide folders are shared) */
  readonly capturesFolder: string;
  createAdapter(options?: Record<string, unknown>): VenueAdapter<unknown>;
  readonly simulator?: {
    create: VenueSimulatorFactory;
    /** synthetic instruments for these base assets, as the venue would list them */
    specs(bases: string[]): SimInstrumentSpec[];
    /** the venue's book push cadence */
    intervalMs: number;
  };
}

/**
 * A venue module from its adapter factory and its facts: the factory receives the venue's
 * `<VENUE>_OPTIONS` as its own options type.
 */
export function defineVenue<O, F>(id: VenueId, createAdapter: (options?: Partial<O>) => VenueAdapter<F>, facts: Omit<VenueModule, 'id' | 'createAdapter'>): VenueModule {
  // the engine treats book frames as opaque: an adapter of any frame type is a VenueAdapter<unknown>
  return { id, createAdapter: (options) => createAdapter(options as Partial<O> | undefined) as unknown as VenueAdapter<unknown>, ...facts };
}
