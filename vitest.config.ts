import { defineConfig } from 'vitest/config';

/**
 * Two groups, one after the other. The pure specs (unit, arch) start no process and share no
 * port or clock with another file (a loopback socket on a port of its own at most), so they run
 * two at a time in threads that each load the code once: started one fork per file, their
 * start-up cost more than their tests. Beside them runs the one spec that mostly waits (a minute
 * of 5 s windows). The specs that start NATS, services and browsers then run one file at a time
 * in forks, as before: many of them bound a recovery time, and on a two-core machine a neighbour
 * file would be measured with them.
 */
const MINUTE = 'test/integration/windows.test.ts';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    poolOptions: {
      threads: { maxThreads: 2, minThreads: 1 },
      forks: { maxForks: 1, minForks: 1 },
    },
    projects: [
      {
        extends: true,
        test: { name: 'pure', include: ['test/unit/**/*.test.ts', 'test/arch/**/*.test.ts'], pool: 'threads', isolate: false, sequence: { groupOrder: 0 } },
      },
      {
        // a minute of wall-clock windows, nearly idle: it waits beside the pure specs instead of
        // after them (what it checks is the order and price of what was published, not timing)
        extends: true,
        test: { name: 'minute', include: [MINUTE], pool: 'forks', sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'services', include: ['test/**/*.test.ts'], exclude: ['test/unit/**', 'test/arch/**', MINUTE], pool: 'forks', sequence: { groupOrder: 1 } },
      },
    ],
  },
});
