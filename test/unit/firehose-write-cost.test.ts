/**
 * The write-cost estimate the firehose stretches its rotation by: what a write costs while the
 * process runs, not the preemption and pauses that land in some visits.
 */
import { describe, expect, it } from 'vitest';
import { WriteCost } from '../../services/firehose/write-cost.js';

describe('write cost estimate', () => {
  it('starts at its first guess and takes the first visit as it comes', () => {
    const c = new WriteCost(0.01);
    expect(c.ms).toBe(0.01);
    c.add(0, 0); // a visit that wrote nothing says nothing
    expect(c.ms).toBe(0.01);
    c.add(1.2, 100);
    expect(c.ms).toBeCloseTo(0.012, 9);
  });

  it('is the per-write cost of a steady stream of visits', () => {
    const c = new WriteCost(0.01);
    for (let i = 0; i < 100; i++) c.add(0.6, 50);
    expect(c.ms).toBeCloseTo(0.012, 9);
  });

  it('ignores stalls in a fifth of the visits, however long', () => {
    const c = new WriteCost(0.01);
    for (let i = 0; i < 200; i++) c.add(i % 5 === 0 ? 30 : 0.6, 50);
    expect(c.ms).toBeCloseTo(0.012, 9);
  });

  it('follows a real rise in cost within one window of visits', () => {
    const c = new WriteCost(0.01, 32);
    for (let i = 0; i < 64; i++) c.add(0.6, 50);
    for (let i = 0; i < 32; i++) c.add(1.0, 50);
    expect(c.ms).toBeCloseTo(0.02, 9);
  });

  it('follows a fall in cost as soon as a quarter of the window shows it', () => {
    const c = new WriteCost(0.01, 32);
    for (let i = 0; i < 64; i++) c.add(1.0, 50);
    for (let i = 0; i < 8; i++) c.add(0.5, 50);
    expect(c.ms).toBeCloseTo(0.01, 9);
  });
});
