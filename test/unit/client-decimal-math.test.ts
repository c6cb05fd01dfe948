/** The client's exact sums: what a browser widget adds up (cumulative depth, venue shares) matches decimal.js digit for digit. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../libs/core/index.js';
import { addDecimal, shareOf, subDecimal, sumDecimals } from '../../libs/client/index.js';

const decimalString = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.integer({ min: 0, max: 18 }), fc.integer({ min: 0, max: 3 }), fc.boolean())
  .map(([v, scale, zeros, neg]) => {
    const digits = v.toString().padStart(scale + 1, '0');
    const s = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
    return (neg ? '-' : '') + s + (scale && zeros ? '0'.repeat(zeros) : '');
  });

describe('exact decimal sums for widgets', () => {
  it('adds and subtracts like decimal.js, whatever the digits and signs', () => {
    fc.assert(
      fc.property(decimalString, decimalString, (a, b) => {
        expect(addDecimal(a, b)).toBe(new Decimal(a).plus(b).toFixed());
        expect(subDecimal(a, b)).toBe(new Decimal(a).minus(b).toFixed());
      }),
      { numRuns: 2000 },
    );
  });

  it('sums a list exactly where floats drift', () => {
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(sumDecimals(Array(10).fill('0.00000001'))).toBe('0.0000001');
    expect(sumDecimals([])).toBe('0');
    fc.assert(
      fc.property(fc.array(decimalString, { maxLength: 20 }), (xs) => {
        expect(sumDecimals(xs)).toBe(xs.reduce((acc, x) => acc.plus(x), new Decimal(0)).toFixed());
      }),
    );
  });

  it('gives display shares in [0, 1] without losing tiny sizes', () => {
    expect(shareOf('1', '4')).toBe(0.25);
    expect(shareOf('0.000000001', '0.000000004')).toBe(0.25);
    expect(shareOf('5', '4')).toBe(1);
    expect(shareOf('1', '0')).toBe(0);
  });

  it('refuses what is not a decimal string', () => {
    expect(() => addDecimal('1e3', '1')).toThrow(/not a decimal/);
    expect(() => sumDecimals(['NaN'])).toThrow(/not a decimal/);
  });
});
