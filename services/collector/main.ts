/** `bookfuse collector`: read env → config → connect NATS → collect; SIGTERM disposes in reverse. */
import { startService } from '../../libs/bus/index.js';
import { createRegistry, startOpsServer } from '../../libs/obs/index.js';
import { loadCollectorConfig } from './config.js';
import { Collector } from './collector.js';

export async function main(env: NodeJS.ProcessEnv) {
  const config = loadCollectorConfig(env);
  const registry = createRegistry('collector');
  const { log, life, nc } = await startService('collector', config);
  const collector = new Collector(config, { nc, log, registry });
  await collector.start();
  life.defer('collector', () => collector.stop());
  const ops = await startOpsServer({ host: config.host, port: config.metricsPort, registry, ready: () => collector.notReadyReason(), health: () => ({ line: config.line, venues: config.venues }) });
  life.defer('ops', () => ops.close());
  log.info({ line: config.line, venues: config.venues, ops: ops.url }, 'collector started');
  return { stop: () => life.stop(), listening: { collector: ops.url }, lifecycle: life };
}
