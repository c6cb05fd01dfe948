/** `bookfuse gateway`: read config, connect NATS, start the gateway; `stop` (the bin calls it on SIGTERM) disposes in reverse. */
import { startService } from '../../libs/bus/index.js';
import { loadGatewayConfig } from './config.js';
import { createGateway } from './gateway.js';

export async function main(env: NodeJS.ProcessEnv): Promise<{ stop(): Promise<void>; listening: Record<string, string> }> {
  const cfg = loadGatewayConfig(env);
  const { log, life, nc } = await startService('gateway', cfg);
  const gw = createGateway(cfg, { nc, log });
  await gw.start();
  life.defer('gateway', () => gw.stop());
  return { stop: () => life.stop(), listening: { http: gw.url, ws: `${gw.url.replace(/^http/, 'ws')}/ws` } };
}
