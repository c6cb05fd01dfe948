/** `bookfuse merger`: read env → config → connect NATS → merge; stop disposes in reverse. */
import { startService } from '../../libs/bus/index.js';
import { createRegistry, startOpsServer } from '../../libs/obs/index.js';
import { loadMergerConfig } from './config.js';
import { createMerger } from './merger.js';

export async function main(env: NodeJS.ProcessEnv) {
  const config = loadMergerConfig(env);
  const registry = createRegistry('merger');
  const { log, life, nc } = await startService('merger', config);
  const merger = createMerger(config, { nc, log, registry });
  await merger.start();
  life.defer('merger', () => merger.stop());
  const ops = await startOpsServer({ host: config.host, port: config.port, registry, ready: () => merger.notReadyReason(), health: () => ({ ...merger.healthInfo() }) });
  life.defer('ops', () => ops.close());
  log.info({ role: merger.role, epoch: merger.epoch, symbols: [...merger.books.keys()], ops: ops.url }, 'merger started');
  return { stop: () => life.stop(), listening: { merger: ops.url }, lifecycle: life };
}
