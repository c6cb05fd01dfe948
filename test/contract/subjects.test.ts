import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSubject, subjects } from '../../libs/bus/index.js';

const ROOT = join(import.meta.dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('NATS subjects come only from libs/bus/subjects.ts (#15 item 6)', () => {
  it('no code outside subjects.ts spells a bookfuse.v1 subject (comments may name them)', () => {
    const offenders: string[] = [];
    for (const dir of ['services', 'libs', 'bench', 'test']) {
      for (const f of tsFiles(join(ROOT, dir))) {
        const rel = relative(ROOT, f);
        // subjects.ts builds them; these two tests spell them to check the builders and the AsyncAPI addresses
        if ([join('libs', 'bus', 'subjects.ts'), join('test', 'contract', 'subjects.test.ts'), join('test', 'contract', 'asyncapi.test.ts')].includes(rel)) continue;
        readFileSync(f, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            const code = line.replace(/^\s*(\*|\/\/|\/\*\*?).*$/, '').replace(/\/\/.*$/, '');
            if (/['"`]bookfuse\.v1\b/.test(code)) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
          });
      }
    }
    expect(offenders).toEqual([]);
  });

  it('parses every subject a builder makes back into what it was built from', () => {
    for (const kind of ['book', 'trade', 'liq', 'snapshot'] as const) {
      expect(parseSubject(subjects[kind]('okx-swap', 'BTC-USDT'))).toEqual({ kind, venue: 'okx-swap', symbol: 'BTC-USDT' });
    }
    expect(parseSubject(subjects.status('hyperliquid'))).toEqual({ kind: 'status', venue: 'hyperliquid' });
    expect(parseSubject(subjects.consensusBook('BTC-USD'))).toEqual({ kind: 'consensus.book', symbol: 'BTC-USD' });
    expect(parseSubject(subjects.consensusTrade('BTC-USD'))).toEqual({ kind: 'consensus.trade', symbol: 'BTC-USD' });
    expect(parseSubject(subjects.consensusAlert('BTC-USD'))).toEqual({ kind: 'consensus.alert', symbol: 'BTC-USD' });
    expect(parseSubject(subjects.consensusSnapshot('BTC-USD'))).toEqual({ kind: 'consensus.snapshot', symbol: 'BTC-USD' });
    expect(parseSubject(subjects.consensusLiq())).toEqual({ kind: 'consensus.liq' });
    expect(parseSubject(subjects.consensusWindow('BTC', '5m'))).toEqual({ kind: 'consensus.window', asset: 'BTC', type: '5m' });
  });

  it('rejects what is not a bookfuse subject: other prefixes, wildcards, wrong levels', () => {
    for (const s of ['bookfuse.v2.book.a.b', 'other.v1.book.a.b', subjects.allBooks(), subjects.venueSnapshots('okx-swap'), 'bookfuse.v1.book.okx-swap', 'bookfuse.v1.book.a.b.c', 'bookfuse.v1.consensus.liq.x', 'bookfuse.v1.status.a.b', 'bookfuse.v1.']) {
      expect(parseSubject(s), s).toBeNull();
    }
  });

  it('builds wildcards that match what the builders make', () => {
    expect(subjects.venueSnapshots('okx-swap')).toBe('bookfuse.v1.snapshot.okx-swap.*');
    expect(subjects.venueTrades('okx-swap')).toBe('bookfuse.v1.trade.okx-swap.*');
    expect(subjects.all()).toBe('bookfuse.v1.>');
    expect(() => subjects.venueBooks('a.*')).toThrow(/not a valid subject token/);
  });
});
