import { describe, expect, it } from 'vitest';
import { backoffDelay, BACKOFF_STEPS_MS } from '../../../libs/venues/backoff.js';

describe('reconnect backoff', () => {
  it('walks 1, 2, 4, 8, 16 s and caps at 30 s', () => {
    const mid = () => 0.5; // zero jitter
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((a) => backoffDelay(a, mid))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('adds at most ±500 ms of jitter, over the whole range', () => {
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(0, () => 0.999999)).toBe(1500);
    for (let a = 0; a < BACKOFF_STEPS_MS.length; a++) {
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(a);
        expect(Math.abs(d - BACKOFF_STEPS_MS[a]!)).toBeLessThanOrEqual(500);
      }
    }
  });
});
