/**
 * A bookfuse topology as real processes on loopback, for fault tests and benchmarks: NATS (one
 * server or a JetStream cluster), the simulator, and N of each service, each `node
 * dist/services/cli/main.js <service>` with its own free port and log file. Every process can be
 * killed (-9), stopped (SIGSTOP), continued and started again on the same port, as a supervisor
 * would. Describe the topology, get handles; nothing here measures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startNatsCluster, startNatsServer, waitForJetStream, type LocalNatsServer } from '../../../libs/bus/index.js';
import { nodeArgsFor } from '../../../services/cli/node-flags.js';
import { repoRoot } from '../paths.js';

export type ServiceKind = 'simulator' | 'collector' | 'merger' | 'gateway' | 'firehose';

export interface TopologySpec {
  /** 1 = one nats-server; 3 = a three-node JetStream cluster (every service gets every URL) */
  natsNodes: 1 | 3;
  /** simulated venues (the collectors collect all of them) */
  venues: string[];
  bases: string[];
  /** CONSENSUS_GROUPS of every merger */
  groups: string;
  /** consensus symbols the gateways serve (GATEWAY_SYMBOLS) */
  symbols: string[];
  collectors: number;
  mergers: number;
  gateways: number;
  firehoses: number;
  apiKey: string;
  /** SIM_* rates and seed */
  sim?: Record<string, string>;
  /** extra environment per kind (LIQ_REPLICAS, STALE_AFTER_MS, …); index-specific via `env(kind, i)` */
  env?: Partial<Record<ServiceKind, Record<string, string>>> | ((kind: ServiceKind, index: number) => Record<string, string>);
  /** where logs go (a fresh temp folder by default) */
  logDir?: string;
  logLevel?: string;
}

export interface ServiceProc {
  readonly kind: ServiceKind;
  readonly index: number;
  /** `collector-0`, … */
  readonly name: string;
  readonly port: number;
  /** http://127.0.0.1:port */
  readonly url: string;
  readonly log: string;
  /** times the process exited without being asked (crash, kill -9 from a test) */
  readonly exits: { code: number | null; signal: NodeJS.Signals | null; at: number }[];
  alive(): boolean;
  pid(): number | undefined;
  /** send a signal (SIGKILL, SIGSTOP, SIGCONT, SIGTERM); false when not running */
  signal(sig: NodeJS.Signals): boolean;
  /** kill -9 and wait for the exit */
  kill(): Promise<void>;
  /** (re)start on the same port; resolves when /healthz answers */
  start(): Promise<void>;
  /** SIGTERM (SIGKILL after a grace period) and wait */
  stop(): Promise<void>;
}

export interface NatsNode {
  url: string;
  port: number;
  kill(): Promise<void>;
  start(): Promise<void>;
  signal(sig: NodeJS.Signals): boolean;
  alive(): boolean;
}

export interface Topology {
  readonly spec: TopologySpec;
  /** NATS_URL as the services got it */
  readonly natsUrl: string;
  readonly nats: NatsNode[];
  readonly simUrl: string;
  readonly services: ServiceProc[];
  readonly logDir: string;
  of(kind: ServiceKind): ServiceProc[];
  /** every process that should be running (not killed by the test) is */
  deadUnexpectedly(): ServiceProc[];
  stop(): Promise<void>;
}

const CLI = (): string => join(repoRoot(), 'dist', 'services', 'cli', 'main.js');
const GRACE_MS = 5000;

export async function startTopology(spec: TopologySpec): Promise<Topology> {
  if (!existsSync(CLI())) throw new Error(`${CLI()} is missing: run npm run build first`);
  const logDir = spec.logDir ?? join(tmpdir(), `bookfuse-faults-${Date.now()}`);
  mkdirSync(logDir, { recursive: true });
  const nats = await startNatsNodes(spec.natsNodes);
  const natsUrl = nats.map((n) => n.url).join(',');
  await waitForJetStream(natsUrl);
  const services: ServiceProc[] = [];
  const envOf = (kind: ServiceKind, i: number) => (typeof spec.env === 'function' ? spec.env(kind, i) : (spec.env?.[kind] ?? {}));
  const common = { NATS_URL: natsUrl, LOG_LEVEL: spec.logLevel ?? 'warn' };
  const add = async (kind: ServiceKind, i: number, env: (port: number) => Record<string, string>) => {
    const port = await freePort();
    const p = new Proc(kind, i, port, join(logDir, `${kind}-${i}.log`), { ...process.env, ...common, ...env(port), ...envOf(kind, i) });
    services.push(p);
    return p;
  };
  const stopAll = async () => {
    for (const s of [...services].reverse()) await s.stop().catch(() => undefined);
    for (const n of nats) await n.kill().catch(() => undefined);
    await Promise.all(nats.map((n) => (n as NatsHandle).dispose()));
  };
  try {
    const sim = await add('simulator', 0, (port) => ({ SIM_PORT: String(port), SIM_VENUES: spec.venues.join(','), SIM_BASES: spec.bases.join(','), ...spec.sim }));
    await sim.start();
    const simUrl = sim.url;
    // consumers before producers, so the first liquidations and books have somewhere to go
    for (let i = 0; i < spec.firehoses; i++) await add('firehose', i, (port) => ({ FIREHOSE_PORT: String(port), FIREHOSE_API_KEYS: spec.apiKey }));
    for (let i = 0; i < spec.gateways; i++) await add('gateway', i, (port) => ({ GATEWAY_PORT: String(port), GATEWAY_API_KEYS: spec.apiKey, GATEWAY_SYMBOLS: spec.symbols.join(',') }));
    for (let i = 0; i < spec.mergers; i++) await add('merger', i, (port) => ({ MERGER_PORT: String(port), CONSENSUS_GROUPS: spec.groups }));
    for (let i = 0; i < spec.collectors; i++)
      await add('collector', i, (port) => ({ COLLECTOR_PORT: String(port), COLLECTOR_VENUES: spec.venues.join(','), COLLECTOR_BASES: spec.bases.join(','), COLLECTOR_SIMULATOR_URL: simUrl }));
    await Promise.all(services.filter((s) => s.kind !== 'simulator').map((s) => s.start()));
    return {
      spec,
      natsUrl,
      nats,
      simUrl,
      services,
      logDir,
      of: (kind) => services.filter((s) => s.kind === kind),
      deadUnexpectedly: () => services.filter((s) => !s.alive() && !(s as Proc).downOnPurpose),
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/** Resolves when GET url+path answers 200 (or throws after timeoutMs). */
export async function waitHttpOk(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

class Proc implements ServiceProc {
  readonly name: string;
  readonly url: string;
  readonly exits: { code: number | null; signal: NodeJS.Signals | null; at: number }[] = [];
  /** killed or stopped by the caller: not a crash */
  downOnPurpose = false;
  private child: ChildProcess | undefined;

  constructor(
    readonly kind: ServiceKind,
    readonly index: number,
    readonly port: number,
    readonly log: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.name = `${kind}-${index}`;
    this.url = `http://127.0.0.1:${port}`;
  }

  alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  pid(): number | undefined {
    return this.alive() ? this.child!.pid : undefined;
  }

  signal(sig: NodeJS.Signals): boolean {
    if (!this.alive()) return false;
    if (sig === 'SIGKILL' || sig === 'SIGTERM') this.downOnPurpose = true;
    return this.child!.kill(sig);
  }

  async kill(): Promise<void> {
    await this.end('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.end('SIGTERM');
  }

  async start(): Promise<void> {
    if (this.alive()) return;
    this.downOnPurpose = false;
    const out = createWriteStream(this.log, { flags: 'a' });
    const child = spawn(process.execPath, [...nodeArgsFor(this.kind), CLI(), this.kind], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    child.once('exit', (code, signal) => {
      if (!this.downOnPurpose) this.exits.push({ code, signal, at: Date.now() });
    });
    this.child = child;
    try {
      await waitHttpOk(`${this.url}/healthz`, 30_000);
    } catch (e) {
      throw new Error(`${this.name}: ${(e as Error).message}; last log lines:\n${tail(this.log)}`);
    }
  }

  private async end(sig: NodeJS.Signals): Promise<void> {
    const c = this.child;
    if (!c || !this.alive()) return;
    this.downOnPurpose = true;
    await new Promise<void>((resolve) => {
      const t = sig === 'SIGKILL' ? undefined : setTimeout(() => c.kill('SIGKILL'), GRACE_MS);
      c.once('exit', () => {
        if (t) clearTimeout(t);
        resolve();
      });
      c.kill('SIGCONT'); // a stopped process cannot act on SIGTERM
      c.kill(sig);
    });
  }
}

type NatsHandle = NatsNode & { dispose(): Promise<void> };

async function startNatsNodes(n: 1 | 3): Promise<NatsHandle[]> {
  const servers: LocalNatsServer[] = n === 1 ? [await startNatsServer()] : (await startNatsCluster({ size: 3 })).nodes;
  return servers.map((s) => ({
    url: s.url,
    port: s.port,
    kill: () => s.stop(),
    start: () => s.start(),
    signal: (sig: NodeJS.Signals) => s.signal?.(sig) ?? false,
    alive: () => s.alive?.() ?? false,
    dispose: () => s.dispose(),
  }));
}

function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
