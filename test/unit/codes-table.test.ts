/**
 * docs/protocol.md's code tables say what libs/client/codes.ts says (issue 15 item 5): the docs are
 * parsed as markdown tables and compared row by row, so a code added, renamed or re-closed in one
 * place and not the other fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CloseCode, ERROR_CODES, isReconnectable } from '../../libs/client/index.js';

const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');

/** The first markdown table after `heading`, as rows of trimmed cells keyed by the header row. */
function tableAfter(heading: string, firstColumn: string): Record<string, string>[] {
  const at = doc.indexOf(`\n${heading}\n`);
  expect(at, `docs/protocol.md has ${heading}`).toBeGreaterThanOrEqual(0);
  const lines = doc.slice(at).split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${firstColumn} |`));
  const rows: string[][] = [];
  for (const l of lines.slice(start)) {
    if (!l.startsWith('|')) break;
    rows.push(l.slice(1, -1).split(' | ').map((c) => c.trim().replace(/^\|\s*|\s*\|$/g, '')));
  }
  const [head, , ...body] = rows;
  return body.map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i] ?? ''])));
}

describe('docs/protocol.md code tables match libs/client/codes.ts', () => {
  it('lists every error code with its close code, reconnect advice and HTTP status', () => {
    const rows = tableAfter('## Codes', 'code');
    const documented = rows.map((r) => r['code']!.replace(/`/g, ''));
    expect(documented.sort()).toEqual(Object.keys(ERROR_CODES).sort());
    for (const r of rows) {
      const info = ERROR_CODES[r['code']!.replace(/`/g, '') as keyof typeof ERROR_CODES];
      const name = r['code'];
      expect(r['close'], `${name} close`).toBe(info.close === null ? '—' : String(info.close));
      expect(r['reconnect'], `${name} reconnect`).toBe(info.reconnect ? 'yes' : 'no');
      expect(r['http'], `${name} http`).toBe('http' in info ? String(info.http) : '—');
      expect(r['sent by'], `${name} sent by`).toBe(info.sent.join(', '));
    }
  });

  it('lists every close code with its name and whether to reconnect', () => {
    const rows = tableAfter('## Close codes', 'code');
    expect(rows.map((r) => [Number(r['code']), r['name']])).toEqual(Object.entries(CloseCode).map(([k, v]) => [v, k]));
    for (const r of rows) expect(r['reconnect'], `close ${r['code']}`).toBe(isReconnectable(Number(r['code'])) ? 'yes' : 'no');
  });

  it('every error that closes uses a close code of the table, on the side its advice says', () => {
    const closes = new Set<number>(Object.values(CloseCode));
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      if (info.close === null) continue;
      expect(closes.has(info.close), code).toBe(true);
      expect(isReconnectable(info.close), `${code}: reconnect advice and close code agree`).toBe(info.reconnect);
    }
  });
});
