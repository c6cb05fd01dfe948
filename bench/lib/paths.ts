/** Locations the runner needs, found from this file rather than the working directory. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this module holding package.json (src or dist). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('bench: no package.json above the bench folder');
    dir = up;
  }
  return dir;
}

export const DEFAULT_DOC = (): string => join(repoRoot(), 'docs', 'benchmarks.md');

/** The shared recorded frames sit beside the repository (../shared/fixtures/venues). */
export function defaultFixturesDir(): string {
  return resolve(repoRoot(), '..', 'shared', 'fixtures', 'venues');
}
