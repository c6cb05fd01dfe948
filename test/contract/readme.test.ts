import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { venueIds } from '../../libs/venues/index.js';

describe('README (#15 item 8)', () => {
  it('names every venue id the collector collects', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    expect(venueIds().filter((v) => !readme.includes(`\`${v}\``))).toEqual([]);
  });
});
