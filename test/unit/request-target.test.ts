/** The one request-target normalizer (libs/ws/request-target.ts): total, and the same reading for every server. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTargetRefusal, MAX_TARGET_LENGTH, normalizeTarget, type RequestTarget } from '../../libs/ws/index.js';

const ok = (raw: string) => normalizeTarget(raw) as RequestTarget;

describe('normalizeTarget', () => {
  it('decodes each segment on its own and keeps the query as URLSearchParams', () => {
    const t = ok('/ws/a%2Fb/BTC-USD?token=k%20ey&symbols=BTC-USD');
    expect(t.segments).toEqual(['ws', 'a/b', 'BTC-USD']);
    expect(t.query.get('token')).toBe('k ey');
    expect(ok('/%761/books/BTC-USD').path).toBe('/v1/books/BTC-USD');
    expect(ok('/ws/').path).toBe('/ws/');
    expect(ok('/').segments).toEqual([]);
  });

  it('reads absolute-form as its path and query', () => {
    expect(ok('http://x/v1/books/BTC-USD?depth=5').path).toBe('/v1/books/BTC-USD');
    expect(ok('HTTP://x:99999/ws').path).toBe('/ws');
    expect(ok('http://x').path).toBe('/');
  });

  it.each([
    ['/ws/%ZZ/BTC-USD', 400],
    ['//x:99999/ws', 400],
    ['///', 400],
    ['*', 400],
    ['', 400],
    ['/v1//venues', 400],
    ['/v1/./venues', 400],
    ['/v1/%2e%2e/venues', 400],
    ['/a%00b', 400],
    ['/a\\b', 400],
    [`/${'a'.repeat(MAX_TARGET_LENGTH)}`, 414],
  ])('refuses %s with %i', (raw, status) => {
    const t = normalizeTarget(raw);
    expect(isTargetRefusal(t) && t.status).toBe(status);
  });

  it('never throws, whatever the string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const t = normalizeTarget(s);
        if (!isTargetRefusal(t)) expect(t.path.startsWith('/')).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});
