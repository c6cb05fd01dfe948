/**
 * The venue contract (#18.5): every registered venue goes through the same checks, so a new venue
 * gets its tests by registering. Its real recordings parse and sync without a rejected frame; its
 * metadata gives instruments in the units its simulator lists; its book, driven by its own
 * simulator, equals the simulator's truth, and comes back to it after a withheld frame. What only
 * one venue does (checksums, pagination, id rules) stays in that venue's own tests.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capturesFor } from '../../../bench/venues.js';
import { replayFile, venueIds, venueModule } from '../../../libs/venues/index.js';
import { FIXTURES } from '../../helpers/fixtures.js';
import { venueOnSim } from '../../helpers/sim-harness.js';

const DEPTH = 50;
/** market steps per check: enough book updates for every venue's cadence */
const STEPS = 40;

describe.each(venueIds())('venue %s keeps the contract', (id) => {
  const module = venueModule(id);

  it('declares what the consensus needs and where its recordings are', () => {
    expect(['spot', 'perp', 'future']).toContain(module.consensus.kind);
    expect(module.consensus.usdQuote).toMatch(/^USD[A-Z]?$/);
    expect(module.consensus.staleAfterMs).toBeGreaterThanOrEqual(1_000);
    expect(existsSync(join(FIXTURES, module.capturesFolder))).toBe(true);
    expect(module.createAdapter().id).toBe(id);
  });

  it('parses and syncs its real recordings without rejecting a frame', async () => {
    const files = capturesFor(FIXTURES, id);
    expect(files.length).toBeGreaterThan(0);
    let published = 0;
    for (const file of files) {
      const r = await replayFile(module.createAdapter(), file, { depth: DEPTH });
      expect(r.stats.rejected, file).toBe(0);
      published += r.stats.snapshots + r.stats.deltas;
    }
    expect(published).toBeGreaterThan(0);
  });

  const sim = module.simulator;
  if (!sim) return;
  const stepMs = Math.max(50, sim.intervalMs);
  const rates = { bookUpdatesPerS: 200, tradesPerS: 10 };

  it('reads instruments from its metadata in the units its simulator lists, kind included', async () => {
    const v = await venueOnSim(module, { depth: DEPTH, rates });
    expect(v.instruments).toEqual(v.h.sim.instruments);
    expect(v.instruments.length).toBe(2);
    for (const i of v.instruments) {
      expect(i.venue).toBe(id);
      expect(i.kind).toBe(module.consensus.kind);
      expect(i.conversion).toBeDefined();
      // tick 0 = no fixed tick (Hyperliquid keeps significant figures instead)
      expect(i.tickSize).toMatch(/^\d+(\.\d+)?$/);
      expect(Number(i.lotSize)).toBeGreaterThan(0);
    }
  });

  it('syncs a book from its simulator that equals the truth after every step, trades mapped', async () => {
    const v = await venueOnSim(module, { depth: DEPTH, rates });
    for (let n = 0; n < STEPS; n++) {
      v.run(stepMs);
      if (n >= 2) expect(v.matchesTruth(), `step ${n}`).toBe(true);
    }
    expect(v.engine.stats).toMatchObject({ rejected: 0, gaps: 0, resyncs: 0, crossed: 0 });
    expect(v.outs.some((o) => o.type === 'book' && o.msg.kind === 'snapshot')).toBe(true);
    expect(v.outs.some((o) => o.type === 'trade')).toBe(true);
  });

  it('recovers to the truth after a withheld book frame (how it notices is the venue’s own test)', async () => {
    const v = await venueOnSim(module, { depth: DEPTH, rates });
    for (let n = 0; n < 4; n++) v.run(stepMs);
    expect(v.matchesTruth()).toBe(true);
    v.h.sim.skipSequence();
    for (let n = 0; n < STEPS; n++) v.run(stepMs);
    expect(v.matchesTruth()).toBe(true);
    expect(v.engine.stats.rejected).toBe(0);
  });
});
