import { describe, expect, it } from 'vitest';
import { msOfUs, nowMs, nowUs } from '../../../libs/core/index.js';

describe('the wire clock (docs/protocol.md "Times")', () => {
  it('stamps *_ts as integer ms since the epoch, never with a fraction', () => {
    for (let i = 0; i < 1000; i++) expect(Number.isInteger(nowMs())).toBe(true);
    expect(Math.abs(nowMs() - Date.now())).toBeLessThan(1000);
  });

  it('stamps *_us twins as safe integer µs since the epoch', () => {
    const us = nowUs();
    expect(Number.isSafeInteger(us)).toBe(true);
    expect(Math.abs(us / 1000 - Date.now())).toBeLessThan(1000);
  });

  it('derives the ms stamp of a µs reading by flooring, so *_ts is never ahead of its twin', () => {
    expect(msOfUs(1_796_403_420_828_138)).toBe(1_796_403_420_828);
    expect(msOfUs(1_796_403_420_828_999)).toBe(1_796_403_420_828);
    expect(msOfUs(1_796_403_420_829_000)).toBe(1_796_403_420_829);
  });
});
