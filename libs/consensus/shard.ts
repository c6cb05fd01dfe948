/**
 * Which merger owns which consensus symbol. A shard `i/n` owns the symbols whose FNV-1a hash is i
 * mod n: stable across processes and restarts with no coordination, so n mergers started with
 * 0/n … n-1/n own disjoint sets that together cover every symbol.
 */
import { BookfuseError } from '../core/index.js';

export type Ownership = { kind: 'all' } | { kind: 'shard'; index: number; count: number } | { kind: 'symbols'; symbols: ReadonlySet<string> };

/** 32-bit FNV-1a over the UTF-16 code units (symbols are ASCII). */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function parseShard(raw: string): Ownership {
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  if (!m) throw new BookfuseError('BAD_CONFIG', 'must look like i/n, e.g. 0/2');
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new BookfuseError('BAD_CONFIG', 'needs 0 <= i < n');
  return { kind: 'shard', index, count };
}

export function owns(o: Ownership, key: string): boolean {
  switch (o.kind) {
    case 'all':
      return true;
    case 'shard':
      return fnv1a(key) % o.count === o.index;
    case 'symbols':
      return o.symbols.has(key);
  }
}
