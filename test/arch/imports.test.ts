/**
 * The house rules for imports (docs/architecture.md): no cycles, libraries met only through their
 * public face, libs below services and core below every lib, services independent of each other,
 * and the client library loadable by a browser as the gateway serves it.
 */
import { describe, expect, it } from 'vitest';
import { importCycles, libOf, serviceOf, sourceTree } from './source-tree.js';

const tree = sourceTree();
const edges = [...tree.values()].flatMap((f) => f.imports.map((i) => ({ from: f.path, ...i })));
const where = (e: { from: string; line: number; target: string }) => `${e.from}:${e.line} → ${e.target}`;

describe('imports', () => {
  it('form no cycle, type-only imports included', () => {
    expect(importCycles(tree)).toEqual([]);
  });

  it("reach another lib only through its index.ts (a lib's own unit tests, test/unit/<lib>/, may reach inside)", () => {
    const reaches = edges.filter((e) => {
      const lib = libOf(e.target);
      if (!lib || libOf(e.from) === lib) return false;
      if (e.target === `libs/${lib}/index.ts`) return false;
      return !e.from.startsWith(`test/unit/${lib}/`);
    });
    expect(reaches.map(where)).toEqual([]);
  });

  it('keep libs below services, bench and tests', () => {
    const up = edges.filter((e) => e.from.startsWith('libs/') && !e.target.startsWith('libs/'));
    expect(up.map(where)).toEqual([]);
  });

  it('keep core below every other lib', () => {
    const up = edges.filter((e) => libOf(e.from) === 'core' && libOf(e.target) !== 'core');
    expect(up.map(where)).toEqual([]);
  });

  it('leave the libs themselves without a cycle', () => {
    const deps = new Map<string, Set<string>>();
    for (const e of edges) {
      const a = libOf(e.from);
      const b = libOf(e.target);
      if (a && b && a !== b) deps.set(a, (deps.get(a) ?? new Set()).add(b));
    }
    const cycles: string[] = [];
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
      for (const n of deps.get(from) ?? []) {
        if (n === to) return true;
        if (!seen.has(n) && (seen.add(n), reaches(n, to, seen))) return true;
      }
      return false;
    };
    for (const lib of deps.keys()) if (reaches(lib, lib)) cycles.push(lib);
    expect(cycles).toEqual([]);
  });

  it('keep services apart; only the cli loads another service (its main.ts, lazily, or its config.ts)', () => {
    const across = edges.filter((e) => {
      const a = serviceOf(e.from);
      const b = serviceOf(e.target);
      if (!a || !b || a === b) return false;
      return !(a === 'cli' && /^services\/[^/]+\/(main|config)\.ts$/.test(e.target));
    });
    expect(across.map(where)).toEqual([]);
  });

  it('let a browser load the client: its runtime imports stay inside libs/client', () => {
    // services/gateway/assets.ts serves libs/client/*.js under /client/ and nothing else, except
    // the browser-safe modules it takes from core under the client's file name (backoff.js, checks.js).
    const fromCore = new Set(['libs/client/backoff.ts', 'libs/client/checks.ts']);
    const outside = edges.filter((e) => libOf(e.from) === 'client' && !fromCore.has(e.from) && !e.typeOnly && libOf(e.target) !== 'client');
    expect(outside.map(where)).toEqual([]);
    for (const f of fromCore) {
      const core = f.replace('libs/client/', 'libs/core/');
      expect(tree.get(core)?.imports ?? ['missing'], `${core} is served to browsers as is`).toEqual([]);
    }
  });
});
