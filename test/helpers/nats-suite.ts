/**
 * A NATS server for one suite (a file or a describe): started before its tests, disposed after
 * them. Kept apart from nats.ts, which the benchmarks load too and which must not import vitest.
 */
import { afterAll, beforeAll } from 'vitest';
import { startNats, type TestNats } from './nats.js';

export function useNats(): { readonly url: string; readonly server: TestNats } {
  let started: TestNats | undefined;
  beforeAll(async () => {
    started = await startNats();
  });
  afterAll(async () => {
    await started?.dispose();
  });
  const server = (): TestNats => {
    if (!started) throw new Error('the suite NATS starts in beforeAll');
    return started;
  };
  return {
    get url() {
      return server().url;
    },
    get server() {
      return server();
    },
  };
}
