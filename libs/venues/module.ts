/**
 * What one venue folder exports: its adapter factory and, for offline use, its simulator.
 * `options` are the venue's own tunables from configuration (`<VENUE>_OPTIONS` JSON), so what
 * venues change often (paths, depths, cadences) never needs a code change.
 */
import type { VenueId } from '../core/index.js';
import type { SimInstrumentSpec, VenueSimulatorFactory } from '../simulator/index.js';
import type { VenueAdapter } from './adapter.js';

export interface VenueModule {
  readonly id: VenueId;
  createAdapter(options?: Record<string, unknown>): VenueAdapter<unknown>;
  readonly simulator?: {
    create: VenueSimulatorFactory;
    /** synthetic instruments for these base assets, as the venue would list them */
    specs(bases: string[]): SimInstrumentSpec[];
    /** the venue's book push cadence */
    intervalMs: number;
  };
}
