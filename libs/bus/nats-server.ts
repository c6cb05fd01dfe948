/**
 * A local `nats-server` child with JetStream on a free loopback port and its own temp store, for
 * tests and benchmarks (test/helpers/nats.ts and bench/firehose.ts share it). It can be stopped and
 * started again on the same port and store, for fault tests. Never a mock of the bus.
 * `startNatsCluster` runs several such servers as one JetStream cluster joined by routes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalNatsServer {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** stop and delete the store */
  dispose(): Promise<void>;
  /** send a signal to the running server (SIGSTOP/SIGCONT for fault tests); false when not running */
  signal?(sig: NodeJS.Signals): boolean;
  alive?(): boolean;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = tcpConnect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface NatsServerOptions {
  /** defaults to NATS_SERVER_BIN, else `nats-server` on PATH */
  bin?: string;
  /** client port; a free one when omitted */
  port?: number;
  /** arguments after the client ones (cluster, server name, monitoring) */
  extraArgs?: string[];
  /** store directory; a fresh temp one when omitted */
  storeDir?: string;
}

export async function startNatsServer(opts: NatsServerOptions = {}): Promise<LocalNatsServer> {
  const port = opts.port ?? (await freePort());
  const storeDir = opts.storeDir ?? (await mkdtemp(join(tmpdir(), 'bookfuse-nats-')));
  const bin = opts.bin ?? process.env['NATS_SERVER_BIN'] ?? 'nats-server';
  const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir, ...(opts.extraArgs ?? [])];
  let child: ChildProcess | undefined;

  const start = async () => {
    if (child) return;
    const c = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    await new Promise<void>((resolve, reject) => {
      c.once('error', (e) => reject(new Error(`cannot start ${bin} (install it: apt-get install -y nats-server): ${e.message}`)));
      c.once('spawn', () => resolve());
    });
    c.once('exit', () => {
      if (child === c) child = undefined;
    });
    child = c;
    try {
      await waitForPort(port);
    } catch (e) {
      throw new Error(`${(e as Error).message}; nats-server said: ${stderr}`);
    }
  };
  const stop = async () => {
    const c = child;
    if (!c) return;
    child = undefined;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  const signal = (sig: NodeJS.Signals): boolean => (child ? child.kill(sig) : false);
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    start,
    stop,
    signal,
    alive: () => child !== undefined,
    dispose: async () => {
      await stop();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

export interface LocalNatsCluster {
  /** every node's client URL, comma-separated, as NATS_URL takes it */
  url: string;
  nodes: (LocalNatsServer & { name: string; clusterPort: number; monitorPort: number | undefined })[];
  /** stop every node and delete their stores */
  dispose(): Promise<void>;
}

export interface NatsClusterOptions {
  bin?: string;
  /** node count, default 3 */
  size?: number;
  /** fixed ports (the demo's); free ones when omitted */
  clientPorts?: number[];
  clusterPorts?: number[];
  monitorPorts?: number[];
  /** one store directory per node (the demo keeps them in its own directory); fresh temp ones when omitted */
  storeDirs?: string[];
  name?: string;
}

/**
 * A JetStream cluster of `size` local nodes joined by routes. Each node can be killed (SIGKILL)
 * and started again on its ports and store, so tests can lose a node and get it back.
 */
export async function startNatsCluster(opts: NatsClusterOptions = {}): Promise<LocalNatsCluster> {
  const size = opts.size ?? 3;
  const clientPorts = opts.clientPorts ?? (await Promise.all(Array.from({ length: size }, () => freePort())));
  const clusterPorts = opts.clusterPorts ?? (await Promise.all(Array.from({ length: size }, () => freePort())));
  const name = opts.name ?? 'bookfuse';
  const routes = clusterPorts.map((p) => `nats-route://127.0.0.1:${p}`).join(',');
  const nodes: LocalNatsCluster['nodes'] = [];
  // Started together: a JetStream cluster elects its meta leader once a quorum of routes is up.
  await Promise.all(
    clientPorts.map(async (port, i) => {
      const nodeName = `${name}-n${i + 1}`;
      const monitorPort = opts.monitorPorts?.[i];
      const extraArgs = ['-n', nodeName, '--cluster_name', name, '--cluster', `nats://127.0.0.1:${clusterPorts[i]}`, '--routes', routes];
      if (monitorPort !== undefined) extraArgs.push('-m', String(monitorPort));
      const storeDir = opts.storeDirs?.[i];
      const server = await startNatsServer({ ...(opts.bin ? { bin: opts.bin } : {}), ...(storeDir ? { storeDir } : {}), port, extraArgs });
      nodes[i] = { ...server, name: nodeName, clusterPort: clusterPorts[i]!, monitorPort };
    }),
  );
  return {
    url: nodes.map((n) => n.url).join(','),
    nodes,
    dispose: async () => {
      await Promise.all(nodes.map((n) => n.dispose()));
    },
  };
}

/** Resolves once JetStream answers on `url` with a meta leader (a cluster needs one to create streams). */
export async function waitForJetStream(url: string, timeoutMs = 20_000): Promise<void> {
  const { connect } = await import('nats');
  const deadline = Date.now() + timeoutMs;
  const nc = await connect({ servers: url.split(','), maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  try {
    for (;;) {
      try {
        const jsm = await nc.jetstreamManager({ timeout: 2_000 });
        await jsm.getAccountInfo();
        return;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`JetStream not ready on ${url} within ${timeoutMs} ms: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await nc.close();
  }
}
