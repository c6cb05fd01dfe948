import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, decString, formatScaled, fractionDigits, NEEDS_MORE_SCALE, parseScaled, canonicalDecimal } from '../../../libs/core/index.js';

/** Plain non-negative decimal strings as venues send them: leading/trailing zeros, bare ".5", "7.". */
const decimalText = fc
  .record({
    lead: fc.integer({ min: 0, max: 2 }),
    int: fc.stringMatching(/^[0-9]{0,9}$/),
    dot: fc.boolean(),
    frac: fc.stringMatching(/^[0-9]{0,8}$/),
    trail: fc.integer({ min: 0, max: 4 }),
  })
  .map(({ lead, int, dot, frac, trail }) => {
    const i = '0'.repeat(lead) + int;
    const f = frac + '0'.repeat(dot ? trail : 0);
    return dot ? `${i}.${f}` : i;
  })
  .filter((s) => /^(\d+\.?\d*|\.\d+)$/.test(s));

const MAX_SAFE = new Decimal(Number.MAX_SAFE_INTEGER);

/** decimal.js says what parseScaled must do: the exact integer, or PRECISION_EXCEEDED past 2^53. */
function expectParsedLikeDecimal(s: string, scale: number): void {
  const want = new Decimal(s).mul(new Decimal(10).pow(scale));
  if (want.gt(MAX_SAFE)) {
    expect(() => parseScaled(s, scale)).toThrow(expect.objectContaining({ code: 'PRECISION_EXCEEDED' }));
  } else {
    const v = parseScaled(s, scale);
    expect(Number.isSafeInteger(v)).toBe(true);
    expect(v).toBe(want.toNumber());
  }
}

describe('parseScaled / formatScaled agree with decimal.js', () => {
  it('parses every plain decimal to exactly value·10^scale at any scale that holds its digits', () => {
    fc.assert(
      fc.property(decimalText, fc.integer({ min: 0, max: 4 }), (s, extra) => {
        expectParsedLikeDecimal(s, fractionDigits(s) + extra);
      }),
      { numRuns: 3000 },
    );
  });

  it('asks for more scale exactly when the string has a non-zero digit past it', () => {
    fc.assert(
      fc.property(decimalText, fc.integer({ min: 0, max: 8 }), (s, scale) => {
        if (fractionDigits(s) > scale) expect(parseScaled(s, scale)).toBe(NEEDS_MORE_SCALE);
        else expectParsedLikeDecimal(s, scale);
      }),
      { numRuns: 3000 },
    );
  });

  it('formats integers at a scale as the canonical decimal.js string, and round-trips', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.integer({ min: 0, max: 18 }), fc.boolean(), (n, scale, neg) => {
        const v = neg && n > 0 ? -n : n;
        const s = formatScaled(v, scale);
        expect(s).toBe(decString(new Decimal(v).div(new Decimal(10).pow(scale))));
        if (v >= 0) expect(parseScaled(s, scale)).toBe(v);
      }),
      { numRuns: 3000 },
    );
  });

  it('canonicalDecimal equals decimal.js canonical form', () => {
    fc.assert(
      fc.property(decimalText, (s) => {
        const fits = new Decimal(s).mul(new Decimal(10).pow(fractionDigits(s))).lte(MAX_SAFE);
        if (fits) expect(canonicalDecimal(s)).toBe(decString(new Decimal(s)));
        else expect(() => canonicalDecimal(s)).toThrow(expect.objectContaining({ code: 'PRECISION_EXCEEDED' }));
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects anything that is not a plain non-negative decimal, and values past 2^53', () => {
    for (const bad of ['', '.', '-1', '1e5', '1.2.3', ' 1', '1 ', '+1', '0x10', 'NaN', '١']) {
      expect(() => parseScaled(bad, 4), bad).toThrow(expect.objectContaining({ code: 'BAD_NUMBER' }));
    }
    expect(() => parseScaled('9007199254740993', 0)).toThrow(expect.objectContaining({ code: 'PRECISION_EXCEEDED' }));
    expect(() => parseScaled('90071992547.40993', 6)).toThrow(expect.objectContaining({ code: 'PRECISION_EXCEEDED' }));
  });
});
