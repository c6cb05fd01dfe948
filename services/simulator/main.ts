/** `bookfuse simulator`: local venues speaking their public protocols, plus /control and /truth. */
import { createLogger, Lifecycle } from '../../libs/obs/index.js';
import { loadSimulatorConfig } from './config.js';
import { startSimulator } from './simulator.js';

export async function main(env: NodeJS.ProcessEnv) {
  const config = loadSimulatorConfig(env);
  const log = createLogger('simulator', config.logLevel);
  const life = new Lifecycle(log);
  const { world, server } = await startSimulator(config);
  life.defer('world', () => world.stop());
  life.defer('server', () => server.close());
  const listening: Record<string, string> = { control: `${server.url}/control`, truth: `${server.url}/truth/<venue>/<symbol>` };
  for (const v of config.venues) listening[v] = `${server.url.replace('http', 'ws')}/${v}`;
  log.info({ url: server.url, venues: config.venues }, 'simulator started');
  return { stop: () => life.stop(), listening, lifecycle: life, world, server };
}
