/** `bookfuse firehose`: read env → config → connect NATS → serve; SIGTERM disposes in reverse. */
import { closeBus, connectBus } from '../../libs/bus/index.js';
import { createLogger, createRegistry, Lifecycle } from '../../libs/obs/index.js';
import { loadFirehoseConfig } from './config.js';
import { createFirehose } from './firehose.js';

export async function main(env: NodeJS.ProcessEnv) {
  const config = loadFirehoseConfig(env);
  const log = createLogger('firehose', config.logLevel);
  const life = new Lifecycle(log);
  const nc = await connectBus({ url: config.natsUrl, name: 'bookfuse-firehose', log });
  life.defer('nats', () => closeBus(nc));
  const firehose = createFirehose(config, { nc, log, registry: createRegistry('firehose') });
  await firehose.start();
  life.defer('firehose', () => firehose.stop());
  const url = `http://${config.host}:${firehose.port}`;
  return { stop: () => life.stop(), listening: { firehose: url }, lifecycle: life };
}
