import { describe, expect, it } from 'vitest';
import { CANONICAL_DECIMAL, isLevel, isObj, PLAIN_DECIMAL, seqStep } from '../../../libs/core/index.js';

describe('the shared input checks', () => {
  it('a sequenced message is a duplicate, the next one, or a gap', () => {
    expect(seqStep(5, 6)).toBe('next');
    expect(seqStep(5, 5)).toBe('duplicate');
    expect(seqStep(5, 3)).toBe('duplicate');
    expect(seqStep(5, 7)).toBe('gap');
    // streams that carry the previous id (prev_seq) need not be contiguous
    expect(seqStep(5, 9, 5)).toBe('next');
    expect(seqStep(5, 9, 6)).toBe('gap');
  });

  it('decimals: the house writes one form, venues a looser one; neither takes signs or exponents', () => {
    for (const s of ['0', '12', '0.5', '98500.10000001']) expect([CANONICAL_DECIMAL.test(s), PLAIN_DECIMAL.test(s)]).toEqual([true, true]);
    for (const s of ['.5', '1.']) expect([CANONICAL_DECIMAL.test(s), PLAIN_DECIMAL.test(s)]).toEqual([false, true]);
    for (const s of ['', '-1', '1e5', 'NaN', ' 1']) expect([CANONICAL_DECIMAL.test(s), PLAIN_DECIMAL.test(s)]).toEqual([false, false]);
  });

  it('levels are two strings first, of a decimal form when asked; objects are not arrays or null', () => {
    expect(isLevel(['1', '2', '0', '4'])).toBe(true);
    expect(isLevel(['1', 'x'])).toBe(true);
    expect(isLevel(['1', 'x'], CANONICAL_DECIMAL)).toBe(false);
    expect(isLevel(['1'])).toBe(false);
    expect(isLevel([1, '2'])).toBe(false);
    expect([isObj({}), isObj([]), isObj(null), isObj('x')]).toEqual([true, false, false, false]);
  });
});
