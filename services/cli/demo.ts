/**
 * `bookfuse demo` (npm run demo): the whole system on one machine with no internet — NATS, the
 * simulated venues, collector, merger, gateway and firehose, each its own process. `--live`
 * (npm start) does the same against the real venues, without the simulator. `--cluster`
 * (npm run demo:cluster) runs two of each service on a three-node JetStream cluster.
 * Children are supervised (a child that dies is restarted with backoff, see supervisor.ts);
 * Ctrl-C stops every child cleanly (SIGTERM, then SIGKILL after a grace period).
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './args.js';
import { clusterPorts, demoPlan, type DemoPlan } from './demo-plan.js';
import { nodeArgsFor } from './node-flags.js';
import { NatsServerMissing, portAnswers, resolveNats, startDemoCluster } from './nats-server.js';
import { stopProcess, Supervisor, type Restartable } from './supervisor.js';

const CLI = fileURLToPath(new URL('./main.js', import.meta.url));

interface DemoNats {
  url: string;
  describe: string;
  /** nodes the demo started and restarts when they die (the cluster's) */
  nodes: { name: string; target: Restartable }[];
  stop(): Promise<void>;
}

export async function demo(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const args = parseArgs(argv, ['live', 'verbose', 'cluster']);
  const live = args.flags.has('live');
  const cluster = args.flags.has('cluster');
  const logDir = env['BOOKFUSE_DEMO_LOG_DIR'] ?? join(tmpdir(), `bookfuse-demo-${Date.now()}`);
  mkdirSync(logDir, { recursive: true });
  let nats: DemoNats;
  try {
    nats = await demoNats(env, cluster, logDir);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return e instanceof NatsServerMissing ? 2 : 1;
  }
  const key = env['BOOKFUSE_DEMO_KEY'] ?? 'demo';
  let plan: DemoPlan;
  try {
    plan = demoPlan({ env, natsUrl: nats.url, live, cluster, key });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    await nats.stop();
    return 1;
  }

  const supervisor = new Supervisor({ say: (line) => process.stderr.write(`[demo] ${line}\n`), verbose: args.flags.has('verbose') });
  let stopping = false;
  const exited = new Promise<number>((resolve) => {
    const stopAll = async () => {
      if (stopping) return;
      stopping = true;
      process.stdout.write('\nstopping…\n');
      await supervisor.stopAll();
      await nats.stop();
      process.stdout.write(`child restarts during the run: ${supervisor.restarts}\nstopped.\n`);
      resolve(0);
    };
    process.once('SIGINT', () => void stopAll());
    process.once('SIGTERM', () => void stopAll());
  });
  for (const n of nats.nodes) supervisor.watch(n.name, n.target);
  for (const c of plan.children) {
    supervisor.start({ name: c.name, command: process.execPath, args: [...nodeArgsFor(c.service), CLI, c.service], env: c.env, log: join(logDir, `${c.name}.log`) });
  }

  const ready = await waitReady(plan, live);
  if (!stopping) process.stdout.write(listing({ plan, nats, live, cluster, ready, key, logDir, pids: supervisor.pids() }));
  return exited;
}

async function demoNats(env: NodeJS.ProcessEnv, cluster: boolean, logDir: string): Promise<DemoNats> {
  if (cluster) {
    const c = await startDemoCluster(env, clusterPorts(env), logDir);
    const monitor = c.nodes.map((n) => (n.monitorPort ? `http://127.0.0.1:${n.monitorPort}` : '')).join(' ');
    return {
      url: c.url,
      describe: `${c.url} (3-node JetStream cluster started by the demo; monitoring ${monitor})`,
      nodes: c.nodes.map((n) => ({ name: `nats ${n.name}`, target: { alive: () => n.alive?.() ?? true, start: () => n.start() } })),
      stop: () => Promise.all(c.nodes.map((n) => n.stop())).then(() => undefined),
    };
  }
  const n = await resolveNats(env);
  const origin = n.origin === 'started' ? 'started by the demo' : n.origin === 'existing' ? 'already running' : 'from NATS_URL';
  return { url: n.url, describe: `${n.url} (${origin})`, nodes: [], stop: () => (n.child ? stopProcess(n.child) : Promise.resolve()) };
}

async function waitReady(plan: DemoPlan, live: boolean): Promise<boolean> {
  const wanted = [...plan.ports.gateways, ...plan.ports.firehoses, ...(live ? [] : [plan.ports.sim])];
  for (let i = 0; i < 300; i++) {
    const up = await Promise.all(wanted.map((p) => portAnswers('127.0.0.1', p)));
    if (up.every(Boolean)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

interface ListingInput {
  plan: DemoPlan;
  nats: DemoNats;
  live: boolean;
  cluster: boolean;
  ready: boolean;
  key: string;
  logDir: string;
  pids: Record<string, number>;
}

function listing(o: ListingInput): string {
  const host = '127.0.0.1';
  const { ports, simVenues } = o.plan;
  const each = (list: number[], f: (p: number) => string) => list.map(f).join('   ');
  const lines = [
    '',
    `bookfuse ${o.live ? 'live' : 'demo'}${o.cluster ? ' (cluster)' : ''} is running${o.ready ? '' : ' (some parts still starting: see the logs)'}:`,
    `  NATS            ${o.nats.describe}`,
    ...(o.live ? [] : [`  simulator       http://${host}:${ports.sim}  (POST /control, GET /truth/<venue>/<symbol>; venues: ${simVenues.join(', ')})`]),
    `  widget page     ${each(ports.gateways, (p) => `http://${host}:${p}/?token=${o.key}`)}`,
    `  consensus WS    ${each(ports.gateways, (p) => `ws://${host}:${p}/ws?token=${o.key}&symbols=BTC-USD,ETH-USD&depth=25`)}`,
    `  REST            ${each(ports.gateways, (p) => `http://${host}:${p}/v1/books/BTC-USD?depth=10&token=${o.key}`)}   http://${host}:${ports.gateways[0]}/v1/venues?token=${o.key}`,
    `  liquidations    ${each(ports.firehoses, (p) => `ws://${host}:${p}/ws/v1/liquidation/feed?token=${o.key}`)}`,
    `  metrics         ${each([...ports.gateways, ...ports.firehoses, ...ports.collectors, ...ports.mergers], (p) => `http://${host}:${p}/metrics`)}`,
    `  API key         ${o.key}`,
    `  processes       ${Object.entries(o.pids).map(([n, pid]) => `${n} ${pid}`).join(', ')} (supervised: restarted with backoff when they die)`,
    `  logs            ${o.logDir}`,
    '',
    'Press Ctrl-C to stop everything.',
    '',
  ];
  return lines.join('\n');
}
