/**
 * Every HTTP server bookfuse runs, started once for a hostile suite: the gateway (with its NATS),
 * the firehose on the same NATS, the simulator and a bare ops server.
 */
import { createRegistry, startOpsServer, type OpsServer } from '../../libs/obs/index.js';
import { loadSimulatorConfig } from '../../services/simulator/config.js';
import { startSimulator } from '../../services/simulator/simulator.js';
import { startHarness, type Harness } from '../integration/gateway-harness.js';
import { startFirehose, type Running } from '../integration/firehose-harness.js';
import { waitFor } from '../helpers/waits.js';

export interface HostileTargets {
  gw: Harness;
  fh: Running;
  sim: Awaited<ReturnType<typeof startSimulator>>;
  ops: OpsServer;
  stop(): Promise<void>;
}

export async function startTargets(gatewayEnv: Record<string, string> = {}, opsName = 'hostile-ops'): Promise<HostileTargets> {
  const gw = await startHarness(gatewayEnv);
  const fh = await startFirehose({}, gw.nats);
  const sim = await startSimulator(loadSimulatorConfig({ SIM_PORT: '0', SIM_VENUES: 'binance-usdm', SIM_BASES: 'BTC' }));
  const ops = await startOpsServer({ host: '127.0.0.1', port: 0, registry: createRegistry(opsName), ready: () => null });
  await waitFor(async () => (await fetch(`${gw.httpUrl}/readyz`)).status === 200, { what: 'gateway ready' });
  return {
    gw,
    fh,
    sim,
    ops,
    stop: async () => {
      await ops.close();
      await sim.world.stop();
      await sim.server.close();
      await fh.stop();
      await gw.stop();
    },
  };
}
