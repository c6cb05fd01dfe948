/** Builds the simulated venues from the registry and puts them on the network. */
import { readFile } from 'node:fs/promises';
import { parseCaptureLine, type CaptureLine } from '../../libs/core/index.js';
import { createAdapter, venueModule } from '../../libs/venues/index.js';
import { SimWorld, type SimVenueConfig, startSimServer, type RunningSimServer } from '../../libs/simulator/index.js';
import type { SimulatorConfig } from './config.js';

export async function loadCaptureFile(path: string): Promise<CaptureLine[]> {
  const text = await readFile(path, 'utf8');
  const out: CaptureLine[] = [];
  text.split('\n').forEach((l, i) => {
    const c = parseCaptureLine(l, i + 1);
    if (c) out.push(c);
  });
  return out;
}

export async function startSimulator(config: Readonly<SimulatorConfig>): Promise<{ world: SimWorld; server: RunningSimServer }> {
  const venues: SimVenueConfig[] = [];
  for (const id of config.venues) {
    const sim = venueModule(id).simulator!;
    const v: SimVenueConfig = {
      venue: id,
      factory: sim.create,
      specs: sim.specs(config.bases),
      intervalMs: sim.intervalMs,
      liquidations: createAdapter(id).liquidations.supported,
      rates: { bookUpdatesPerS: config.bookUpdatesPerS, tradesPerS: config.tradesPerS, liquidationsPerS: config.liquidationsPerS, levels: config.levels },
    };
    const capture = config.captures[id];
    if (capture) v.capture = await loadCaptureFile(capture);
    venues.push(v);
  }
  const world = new SimWorld(venues, { seed: config.seed });
  world.start();
  const server = await startSimServer(world, { host: config.host, port: config.port, pingIntervalMs: config.pingIntervalMs });
  return { world, server };
}
