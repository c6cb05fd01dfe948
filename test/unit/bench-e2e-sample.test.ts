/**
 * bench:e2e times a venue book change to the first consensus update it caused; an update that
 * changes no level (venue views re-sent on the merger's tick) carries an earlier change's `ts`
 * and must not be timed as a late delivery of it.
 */
import { describe, expect, it } from 'vitest';
import { changesALevel } from '../../bench/e2e-sample.js';

describe('bench:e2e samples', () => {
  it('times a BOOK delta or consensus message that changes a level on either side', () => {
    expect(changesALevel({ bids: [['98500.1', '0']], asks: [] })).toBe(true);
    expect(changesALevel({ bids: [], asks: [['98502.0', '0.4']] })).toBe(true);
  });

  it('does not time one that only re-sends venue views (its ts is the last change, not its cause)', () => {
    expect(changesALevel({ bids: [], asks: [] })).toBe(false);
    expect(changesALevel({ bids: [] })).toBe(false);
  });

  it('times every frame of the transport floor, which carries no levels at all', () => {
    expect(changesALevel({})).toBe(true);
  });
});
