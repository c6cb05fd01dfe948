import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../libs/core/index.js';

// One schedule for venue feeds and widget clients alike.
const STEPS_MS = [1000, 2000, 4000, 8000, 16000, 30000];

describe('reconnect backoff', () => {
  it('walks 1, 2, 4, 8, 16 s and caps at 30 s', () => {
    const mid = () => 0.5; // zero jitter
    expect([0, 1, 2, 3, 4, 5, 6, 20, 1000].map((a) => backoffDelayMs(a, mid))).toEqual([...STEPS_MS, 30000, 30000, 30000]);
  });

  it('adds at most ±500 ms of jitter, over the whole range', () => {
    expect(backoffDelayMs(0, () => 0)).toBe(500);
    expect(backoffDelayMs(0, () => 0.999999)).toBe(1500);
    STEPS_MS.forEach((step, a) => {
      for (let i = 0; i < 50; i++) expect(Math.abs(backoffDelayMs(a) - step)).toBeLessThanOrEqual(500);
    });
  });
});
