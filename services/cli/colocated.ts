/**
 * `bookfuse colocated` (issue #17.4): a collector and a merger in one process, for deployments that
 * want one NATS hop less between a venue frame and its consensus update. Each part is configured
 * exactly as when it runs alone (the collector's and the merger's environment variables, each with
 * its own ops port, metrics and health) and publishes every subject it publishes alone; only the
 * merger's subscriptions to this collector's venues are served in process (libs/bus LocalRoute).
 * Venues collected elsewhere still reach the merger over NATS.
 */
import { LocalRoute, startService, type LocalRouteEvents } from '../../libs/bus/index.js';
import type { Logger } from '../../libs/obs/index.js';
import { loadCollectorConfig } from '../collector/config.js';
import { runCollector } from '../collector/main.js';
import { loadMergerConfig } from '../merger/config.js';
import { runMerger } from '../merger/main.js';

/**
 * A throw in the merger's handler is a bug that may have left a book half applied. Alone, the
 * merger would die of it (nats.js does not catch a callback's throw) and its supervisor would
 * restart it to exact books; here it must not be swallowed either, nor charged to the venue frame
 * the collector is handling. So it is rethrown outside the collector's call, where the one
 * fatal-error handling (libs/obs/shutdown.ts) ends the process with 70.
 */
export function fatalSubscriberError(log: Logger): LocalRouteEvents['onSubscriberError'] {
  return (subject, e) => {
    log.error({ err: e, subject }, 'merger failed on an in-process venue message');
    setImmediate(() => {
      throw e;
    });
  };
}

export async function main(env: NodeJS.ProcessEnv) {
  const collectorConfig = loadCollectorConfig(env);
  const mergerConfig = loadMergerConfig(env);
  const { log, life, nc } = await startService('colocated', mergerConfig);
  const route = new LocalRoute(nc, new Set(collectorConfig.venues), { onSubscriberError: fatalSubscriberError(log) });
  const health = () => ({ colocated: true, local_deliveries: route.localDeliveries });
  const part = (name: string) => ({ nc: route.nc, log: log.child({ part: name }), life });
  // the collector first: the merger's start asks it for snapshots (over NATS, as from any collector);
  // stops run in reverse, so the merger hands its lease over before the collector goes
  const collector = await runCollector(collectorConfig, part('collector'), health);
  const { merger, url } = await runMerger(mergerConfig, part('merger'), health);
  log.info({ venues: collectorConfig.venues, role: merger.role, symbols: [...merger.books.keys()] }, 'collector and merger started in one process');
  return { stop: () => life.stop(), listening: { merger: url, collector: collector.url }, lifecycle: life };
}
