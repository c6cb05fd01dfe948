/** `bookfuse merger`: read env → config → connect NATS → merge; stop disposes in reverse. */
import { startService, type ServiceStart } from '../../libs/bus/index.js';
import { createRegistry, startOpsServer } from '../../libs/obs/index.js';
import { loadMergerConfig, type MergerConfig } from './config.js';
import { createMerger } from './merger.js';

/** The merger and its ops server on a connection it is given (alone, or beside a collector: `bookfuse colocated`). */
export async function runMerger(config: MergerConfig, { nc, log, life }: ServiceStart, health: () => object = () => ({})) {
  const registry = createRegistry('merger');
  const merger = createMerger(config, { nc, log, registry });
  await merger.start();
  life.defer('merger', () => merger.stop());
  const ops = await startOpsServer({ host: config.host, port: config.port, registry, ready: () => merger.notReadyReason(), health: () => ({ ...merger.healthInfo(), ...health() }) });
  life.defer('merger ops', () => ops.close());
  return { merger, url: ops.url };
}

export async function main(env: NodeJS.ProcessEnv) {
  const config = loadMergerConfig(env);
  const { log, life, nc } = await startService('merger', config);
  const { merger, url } = await runMerger(config, { nc, log, life });
  log.info({ role: merger.role, epoch: merger.epoch, symbols: [...merger.books.keys()], ops: url }, 'merger started');
  return { stop: () => life.stop(), listening: { merger: url }, lifecycle: life };
}
