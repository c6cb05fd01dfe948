/**
 * `bookfuse demo` (npm run demo): the whole system on one machine with no internet — NATS, the
 * simulated venues, collector, merger, gateway and firehose, each its own process. `--live`
 * (npm start) does the same against the real venues, without the simulator.
 * Ctrl-C stops every child cleanly (SIGTERM, then SIGKILL after a grace period).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { venueIds, venueModule } from '../../libs/venues/index.js';
import { parseArgs } from './args.js';
import { NatsServerMissing, portAnswers, resolveNats } from './nats-server.js';

const CLI = fileURLToPath(new URL('./main.js', import.meta.url));
const GRACE_MS = 10_000;

interface Child {
  name: string;
  proc: ChildProcess;
  log: string;
}

export async function demo(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const args = parseArgs(argv, ['live', 'verbose']);
  const live = args.flags.has('live');
  let nats;
  try {
    nats = await resolveNats(env);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return e instanceof NatsServerMissing ? 2 : 1;
  }
  const logDir = env['BOOKFUSE_DEMO_LOG_DIR'] ?? join(tmpdir(), `bookfuse-demo-${Date.now()}`);
  mkdirSync(logDir, { recursive: true });
  const key = env['BOOKFUSE_DEMO_KEY'] ?? 'demo';
  const port = (name: string, dflt: number) => env[name] ?? String(dflt);
  const ports = { sim: port('SIM_PORT', 9090), gateway: port('GATEWAY_PORT', 8080), firehose: port('FIREHOSE_PORT', 8081), collector: port('COLLECTOR_PORT', 9101), merger: port('MERGER_PORT', 9102) };
  const common = { ...env, NATS_URL: nats.url, LOG_LEVEL: env['LOG_LEVEL'] ?? 'info' };
  const simVenues = venueIds().filter((v) => venueModule(v).simulator);
  const venueUrls: Record<string, string> = live ? {} : { COLLECTOR_SIMULATOR_URL: `http://127.0.0.1:${ports.sim}` };
  const plan: [string, NodeJS.ProcessEnv][] = [];
  if (!live) plan.push(['simulator', { ...common, SIM_PORT: ports.sim, SIM_LIQUIDATIONS_PER_S: env['SIM_LIQUIDATIONS_PER_S'] ?? '0.1' }]);
  plan.push(
    ['collector', { ...common, ...venueUrls, COLLECTOR_PORT: ports.collector, ...(live ? {} : { COLLECTOR_VENUES: env['COLLECTOR_VENUES'] ?? simVenues.join(',') }) }],
    ['merger', { ...common, MERGER_PORT: ports.merger }],
    ['gateway', { ...common, GATEWAY_PORT: ports.gateway, GATEWAY_API_KEYS: env['GATEWAY_API_KEYS'] ?? key, GATEWAY_FIREHOSE_URL: env['GATEWAY_FIREHOSE_URL'] ?? `ws://127.0.0.1:${ports.firehose}/ws/v1/liquidation/feed` }],
    ['firehose', { ...common, FIREHOSE_PORT: ports.firehose, FIREHOSE_API_KEYS: env['FIREHOSE_API_KEYS'] ?? key }],
  );

  const children: Child[] = [];
  let stopping = false;
  const stopAll = async (code: number): Promise<number> => {
    if (stopping) return code;
    stopping = true;
    process.stdout.write('\nstopping…\n');
    // reverse order: consumers first, the simulator last
    for (const c of [...children].reverse()) await stopChild(c);
    if (nats.child) await stopChild({ name: 'nats-server', proc: nats.child, log: '' });
    process.stdout.write('stopped.\n');
    return code;
  };

  const exited = new Promise<number>((resolve) => {
    process.once('SIGINT', () => void stopAll(0).then(resolve));
    process.once('SIGTERM', () => void stopAll(0).then(resolve));
    for (const [name, childEnv] of plan) {
      const log = join(logDir, `${name}.log`);
      const out = createWriteStream(log);
      const proc = spawn(process.execPath, [CLI, name], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      proc.stdout?.pipe(out);
      proc.stderr?.pipe(out);
      if (args.flags.has('verbose')) {
        proc.stdout?.pipe(process.stdout);
        proc.stderr?.pipe(process.stderr);
      }
      const child = { name, proc, log };
      children.push(child);
      proc.once('exit', (code, signal) => {
        if (stopping) return;
        process.stderr.write(`\n${name} exited (${signal ?? code}); last lines of ${log}:\n${tail(log)}\n`);
        void stopAll(1).then(resolve);
      });
    }
  });

  const ready = await waitReady(ports, live);
  if (!stopping) {
    const host = '127.0.0.1';
    const lines = [
      '',
      `bookfuse ${live ? 'live' : 'demo'} is running${ready ? '' : ' (some parts still starting: see the logs)'}:`,
      `  NATS            ${nats.url} (${nats.origin === 'started' ? 'started by the demo' : nats.origin === 'existing' ? 'already running' : 'from NATS_URL'})`,
      ...(live ? [] : [`  simulator       http://${host}:${ports.sim}  (POST /control, GET /truth/<venue>/<symbol>; venues: ${simVenues.join(', ')})`]),
      `  widget page     http://${host}:${ports.gateway}/?token=${key}`,
      `  consensus WS    ws://${host}:${ports.gateway}/ws?token=${key}&symbols=BTC-USD,ETH-USD&depth=25`,
      `  REST            http://${host}:${ports.gateway}/v1/books/BTC-USD?depth=10&token=${key}   http://${host}:${ports.gateway}/v1/venues?token=${key}`,
      `  liquidations    ws://${host}:${ports.firehose}/ws/v1/liquidation/feed?token=${key}`,
      `  metrics         http://${host}:${ports.gateway}/metrics  http://${host}:${ports.firehose}/metrics  http://${host}:${ports.collector}/metrics  http://${host}:${ports.merger}/metrics`,
      `  API key         ${key}`,
      `  logs            ${logDir}`,
      '',
      'Press Ctrl-C to stop everything.',
      '',
    ];
    process.stdout.write(lines.join('\n'));
  }
  return exited;
}

async function waitReady(ports: Record<string, string>, live: boolean): Promise<boolean> {
  const wanted = [ports['gateway']!, ports['firehose']!, ...(live ? [] : [ports['sim']!])].map(Number);
  for (let i = 0; i < 150; i++) {
    const up = await Promise.all(wanted.map((p) => portAnswers('127.0.0.1', p)));
    if (up.every(Boolean)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function stopChild(c: Child): Promise<void> {
  return new Promise((resolve) => {
    if (c.proc.exitCode !== null || c.proc.signalCode !== null) return resolve();
    const kill = setTimeout(() => c.proc.kill('SIGKILL'), GRACE_MS);
    c.proc.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    c.proc.kill('SIGTERM');
  });
}

function tail(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
