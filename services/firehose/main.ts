/** `bookfuse firehose`: read env → config → connect NATS → serve; SIGTERM disposes in reverse. */
import { startService } from '../../libs/bus/index.js';
import { createRegistry } from '../../libs/obs/index.js';
import { loadFirehoseConfig } from './config.js';
import { createFirehose } from './firehose.js';

export async function main(env: NodeJS.ProcessEnv) {
  const config = loadFirehoseConfig(env);
  const { log, life, nc } = await startService('firehose', config);
  const firehose = createFirehose(config, { nc, log, registry: createRegistry('firehose') });
  await firehose.start();
  life.defer('firehose', () => firehose.stop());
  const url = `http://${config.host}:${firehose.port}`;
  return { stop: () => life.stop(), listening: { firehose: url }, lifecycle: life };
}
