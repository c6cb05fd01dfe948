/**
 * Facts that have one home: a venue's id lives in its own folder under libs/venues (and the
 * registry that lists the folders), a NATS subject string (`bookfuse.v1.…`) in libs/bus/subjects.ts, and no file
 * under libs/ or services/ grows past 400 lines. Tests may name venues and subjects: they are specs.
 */
import { describe, expect, it } from 'vitest';
import { sourceTree } from './source-tree.js';

const tree = sourceTree();
const VENUE_IDS = ['binance-spot', 'binance-usdm', 'bybit-linear', 'okx-swap', 'okx-spot', 'hyperliquid'];
const MAX_LINES = 400;
/** the subject prefix, spelled so that this file does not contain it */
const SUBJECT_PREFIX = ['bookfuse', 'v1', ''].join('.');

/**
 * The two specs of the subject contract itself spell subjects out: one checks what subjects.ts
 * builds and parses, the other that the AsyncAPI document names every channel.
 */
const SUBJECT_SPECS = new Set<string>(['test/contract/subjects.test.ts', 'test/contract/asyncapi.test.ts']);

const isTest = (p: string) => p.startsWith('test/');

/** The venue folder a file sits in: `libs/venues/okx/parse.ts` → okx. */
const venueFolder = (p: string) => /^libs\/venues\/([^/]+)\//.exec(p)?.[1];
const ownsId = (folder: string | undefined, id: string) => folder !== undefined && (id === folder || id.startsWith(`${folder}-`));

describe('places', () => {
  it('a venue id literal appears only in its own venue folder and the registry', () => {
    const found: string[] = [];
    for (const f of tree.values()) {
      if (isTest(f.path) || f.path === 'libs/venues/registry.ts') continue;
      for (const s of f.strings) {
        if (VENUE_IDS.includes(s.text) && !ownsId(venueFolder(f.path), s.text)) found.push(`${f.path}:${s.line} '${s.text}'`);
      }
    }
    expect(found).toEqual([]);
  });

  it('a subject string is built only in libs/bus/subjects.ts', () => {
    const found: string[] = [];
    for (const f of tree.values()) {
      if (f.path === 'libs/bus/subjects.ts' || SUBJECT_SPECS.has(f.path)) continue;
      for (const s of f.strings) if (s.text.includes(SUBJECT_PREFIX)) found.push(`${f.path}:${s.line}`);
    }
    expect(found).toEqual([]);
  });

  it(`no file under libs/ or services/ passes ${MAX_LINES} lines`, () => {
    const big = [...tree.values()]
      .filter((f) => /^(libs|services)\//.test(f.path) && f.lines > MAX_LINES)
      .map((f) => `${f.path}: ${f.lines}`);
    expect(big).toEqual([]);
  });
});
