/** Paths to the shared recorded venue frames (shared/fixtures/venues, beside this repo). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function findFixtures(): string {
  const candidates = [process.env['BOOKFUSE_FIXTURES'], resolve(here, '../../../shared/fixtures/venues'), resolve(here, '../../shared/fixtures/venues')];
  for (const c of candidates) if (c && existsSync(c)) return c;
  throw new Error('shared/fixtures/venues not found beside the repository (set BOOKFUSE_FIXTURES)');
}

export const FIXTURES = findFixtures();

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

export function fixtureJson(...parts: string[]): unknown {
  return JSON.parse(readFileSync(fixture(...parts), 'utf8'));
}

export function fixtureLines(...parts: string[]): string[] {
  return readFileSync(fixture(...parts), 'utf8').split('\n').filter((l) => l.trim() !== '');
}
