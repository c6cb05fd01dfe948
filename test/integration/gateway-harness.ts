/**
 * Gateway test rig: a real nats-server, a real gateway on a free loopback port, a stand-in
 * merger per symbol publishing on the real subjects, and WebSocket clients that record what
 * they receive.
 */
import type { NatsConnection } from 'nats';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';
import { closeBus, connectBus } from '../../libs/bus/index.js';
import { createLogger } from '../../libs/obs/index.js';
import type { ServerMessage } from '../../libs/client/index.js';
import { loadGatewayConfig } from '../../services/gateway/config.js';
import { createGateway, type Gateway } from '../../services/gateway/gateway.js';
import { ConsensusPublisher } from '../helpers/consensus-publisher.js';
import { startNats, type TestNats } from '../helpers/nats.js';
import { waitFor } from '../helpers/waits.js';

export interface Harness {
  nats: TestNats;
  nc: NatsConnection;
  gw: Gateway;
  btc: ConsensusPublisher;
  eth: ConsensusPublisher;
  wsUrl: string;
  httpUrl: string;
  env: Record<string, string>;
  restartGateway(): Promise<void>;
  stop(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}, opts: { serve?: boolean } = {}): Promise<Harness> {
  const nats = await startNats();
  const nc = await connectBus({ url: nats.url, name: 'gateway-test' });
  const btc = new ConsensusPublisher(nc, 'BTC-USD', 50, 11);
  const eth = new ConsensusPublisher(nc, 'ETH-USD', 50, 12, undefined, undefined);
  btc.seedBook(20);
  eth.seedBook(20);
  if (opts.serve !== false) {
    btc.serveSnapshots();
    eth.serveSnapshots();
    await nc.flush();
  }
  // the stand-in merger publishes only when a test says so: silence and view ageing are opted into
  const fullEnv = {
    NATS_URL: nats.url,
    GATEWAY_PORT: '0',
    GATEWAY_API_KEYS: 'demo,second-key',
    LOG_LEVEL: 'silent',
    GATEWAY_UPSTREAM_SILENCE_MS: '3600000',
    GATEWAY_VENUE_STALE_AFTER_MS: '3600000',
    ...env,
  };
  const log = createLogger('gateway-test', 'silent');
  const gwNc = await connectBus({ url: nats.url, name: 'gateway' });
  let gw = createGateway(loadGatewayConfig(fullEnv), { nc: gwNc, log });
  await gw.start();
  const h: Harness = {
    nats,
    nc,
    gw,
    btc,
    eth,
    wsUrl: gw.url.replace('http', 'ws'),
    httpUrl: gw.url,
    env: fullEnv,
    async restartGateway() {
      const port = h.gw.port;
      await h.gw.stop();
      gw = createGateway(loadGatewayConfig({ ...fullEnv, GATEWAY_PORT: String(port) }), { nc: gwNc, log });
      await gw.start();
      h.gw = gw;
    },
    async stop() {
      await h.gw.stop().catch(() => undefined);
      await closeBus(gwNc);
      await closeBus(nc);
      await nats.dispose();
    },
  };
  return h;
}

/** The harness a test file shares, and the recording clients its tests open on it. */
export interface FileHarness {
  /** the running harness (from the file's beforeAll on) */
  readonly h: Harness;
  /** a client on `path` (`/ws?token=…`), terminated when the file is done or on closeClients() */
  client(path: string, headers?: Record<string, string>): TestClient;
  /** one client per path, each once it holds its first SNAPSHOT */
  synced<P extends string[]>(...paths: P): Promise<{ [K in keyof P]: TestClient }>;
  /** terminate every client opened so far */
  closeClients(): void;
}

/** A harness started, and ready (/readyz 200), before the file's tests; stopped after them. */
export function useHarness(env: Record<string, string> = {}): FileHarness {
  let started: Harness | undefined;
  const open: TestClient[] = [];
  const rig: FileHarness = {
    get h(): Harness {
      if (!started) throw new Error('the gateway harness starts in beforeAll');
      return started;
    },
    client(path, headers = {}) {
      const c = new TestClient(`${rig.h.wsUrl}${path}`, headers);
      open.push(c);
      return c;
    },
    async synced<P extends string[]>(...paths: P) {
      const clients = paths.map((p) => rig.client(p));
      for (const c of clients) await c.next('SNAPSHOT');
      return clients as { [K in keyof P]: TestClient };
    },
    closeClients() {
      for (const c of open.splice(0)) c.ws.terminate();
    },
  };
  beforeAll(async () => {
    const h = (started = await startHarness(env));
    await waitFor(async () => (await fetch(`${h.httpUrl}/readyz`)).status === 200, { what: 'gateway ready' });
  });
  afterAll(async () => {
    rig.closeClients();
    await started?.stop();
  });
  return rig;
}

export interface Closed {
  code: number;
  reason: string;
}

/** A raw protocol client that records every message. */
export class TestClient {
  readonly messages: ServerMessage[] = [];
  readonly ws: WebSocket;
  closed: Closed | undefined;
  readonly opened: Promise<void>;
  autoPong = true;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { headers, perMessageDeflate: false });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('error', () => undefined);
    this.ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as ServerMessage;
      this.messages.push(m);
      if (m.type === 'PING' && this.autoPong) this.send({ type: 'PONG' });
    });
    this.ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  send(m: unknown): void {
    this.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }

  of<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.messages.filter((m) => m.type === type) as Extract<ServerMessage, { type: T }>[];
  }

  async next<T extends ServerMessage['type']>(type: T, pred: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true, timeoutMs = 5000): Promise<Extract<ServerMessage, { type: T }>> {
    return waitFor(() => this.of(type).find(pred), { timeoutMs, what: `a ${type} message` });
  }

  async waitClosed(timeoutMs = 5000): Promise<Closed> {
    return waitFor(() => this.closed, { timeoutMs, what: 'the connection to close' });
  }

  close(): void {
    this.ws.close();
  }
}
