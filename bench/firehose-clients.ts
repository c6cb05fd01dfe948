/**
 * Firehose benchmark clients: N WebSocket connections in one process, a fraction of them stalled
 * (they complete the handshake, then never read again). Healthy clients parse frames themselves
 * (server frames are unmasked; RFC 6455 §5.2), so a client costs a few operations per frame and
 * the server, not this process, is what gets measured. Pings are answered, as any WebSocket
 * client must (the firehose measures each client's lag by them). Per frame: `seq` must be the previous + 1,
 * and publish → receipt latency comes from the publish time the load generator put in the id.
 *
 * IPC in: {type:'connect', port, path, clients, stalled} → {connected};
 *         {type:'window', fromMs, toMs} (before any event is published);
 *         {type:'finish', published, drainMs} → ClientsResult.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export type ClientsCommand =
  | { type: 'connect'; port: number; path: string; clients: number; stalled: number }
  /** frames received in [from, to] count toward frames/s; frames published in it toward latency */
  | { type: 'window'; fromMs: number; toMs: number }
  /** drainMs: how long without a frame arriving ends the wait for the tail */
  | { type: 'finish'; published: number; drainMs: number };

export interface ClientsResult {
  /** frames received by healthy clients inside the measurement window */
  windowFrames: number;
  /** frames received in all: the fewest among reading clients the server kept, and among all of them */
  receivedMin: number;
  receivedMinAll: number;
  receivedMax: number;
  healthyClosed: number;
  orderErrors: number;
  latency: { p50Ms: number; p99Ms: number; maxMs: number; samples: number };
  /** this process's CPU time over wall time, from connected to finished */
  cpuCores: number;
}

const wallMs = (): number => performance.timeOrigin + performance.now();

/** Latency histogram at 10 µs resolution up to 10 s; exact max kept aside. */
class Histogram {
  private readonly counts = new Uint32Array(1_000_000);
  n = 0;
  max = 0;
  add(ms: number): void {
    const b = Math.min(this.counts.length - 1, Math.max(0, Math.round(ms * 100)));
    this.counts[b]!++;
    this.n++;
    if (ms > this.max) this.max = ms;
  }
  quantile(q: number): number {
    let want = Math.ceil(q * this.n);
    for (let i = 0; i < this.counts.length - 1; i++) {
      want -= this.counts[i]!;
      if (want <= 0) return i / 100;
    }
    return this.max; // beyond the histogram's range: the exact max is the honest bound
  }
}

const hist = new Histogram();
let windowFrames = 0;
let orderErrors = 0;
let measureFrom = 0;
let measureTo = 0;

/**
 * Every socket reads into this one buffer (`onread`): each read is parsed before the callback
 * returns, so no buffer is allocated per read and no stream machinery runs — the clients process
 * shares the machine's two cores with the server it measures, so it must cost as little as it can.
 */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

class BenchClient {
  received = 0;
  closed = false;
  /** the HTTP 101 response has been read */
  private upgraded = false;
  socket!: Socket;
  private lastSeq = -1;
  /** an incomplete frame (or response head) left at the end of a read */
  private rest: Buffer | undefined;

  constructor(
    private readonly onUpgrade: (error?: Error) => void,
    /** stalled clients stop reading once upgraded */
    private readonly stall: boolean,
  ) {}

  onRead(n: number): void {
    let b = READ_BUFFER.subarray(0, n);
    if (this.rest) {
      b = Buffer.concat([this.rest, b]);
      this.rest = undefined;
    }
    if (!this.upgraded) {
      const end = b.indexOf('\r\n\r\n');
      if (end < 0) {
        this.rest = Buffer.from(b);
        return;
      }
      if (!b.subarray(0, 12).toString().includes('101')) return this.onUpgrade(new Error(`upgrade refused: ${b.subarray(0, end).toString()}`));
      this.upgraded = true;
      if (this.stall) this.socket.pause(); // never reads again
      this.onUpgrade();
      b = b.subarray(end + 4);
      if (this.stall) return;
    }
    this.onFrames(b);
  }

  private onFrames(b: Buffer): void {
    const now = wallMs();
    const inWindow = now >= measureFrom && now <= measureTo;
    let off = 0;
    for (;;) {
      if (b.length - off < 2) break;
      const op = b[off]! & 0x0f;
      let len = b[off + 1]! & 0x7f;
      let hdr = 2;
      if (len === 126) {
        if (b.length - off < 4) break;
        len = b.readUInt16BE(off + 2);
        hdr = 4;
      } else if (len === 127) {
        if (b.length - off < 10) break;
        len = b.readUInt32BE(off + 2) * 2 ** 32 + b.readUInt32BE(off + 6);
        hdr = 10;
      }
      if (b.length - off < hdr + len) break;
      const start = off + hdr;
      if (op === 1) this.onText(b, start, now, inWindow);
      else if (op === 9) this.pong(b.subarray(start, start + len));
      else if (op === 8) this.closed = true;
      off = start + len;
    }
    // the shared read buffer is overwritten by the next read: keep a copy of what is left
    if (off < b.length) this.rest = Buffer.from(b.subarray(off));
  }

  /** RFC 6455 §5.5.2: a ping is answered with a pong carrying its payload, masked as every client frame is. */
  private pong(payload: Buffer): void {
    const mask = randomBytes(4);
    const frame = Buffer.allocUnsafe(6 + payload.length);
    frame[0] = 0x8a;
    frame[1] = 0x80 | payload.length;
    mask.copy(frame, 2);
    for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ mask[i % 4]!;
    this.socket.write(frame);
  }

  /** `{"id":"<µs>-<n>","seq":<seq>,…`: read both numbers from the bytes. */
  private onText(b: Buffer, start: number, now: number, inWindow: boolean): void {
    if (b[start + 2] !== 0x69 /* i */) return; // a control message (GAP, ERROR, PONG)
    let i = start + 7;
    let pubUs = 0;
    for (let c = b[i]!; c >= 0x30 && c <= 0x39; c = b[++i]!) pubUs = pubUs * 10 + (c - 0x30);
    while (b[i] !== 0x2c /* , */) i++;
    i += 7; // ,"seq":
    let seq = 0;
    for (let c = b[i]!; c >= 0x30 && c <= 0x39; c = b[++i]!) seq = seq * 10 + (c - 0x30);
    if (this.lastSeq >= 0 && seq !== this.lastSeq + 1) orderErrors++;
    this.lastSeq = seq;
    this.received++;
    if (inWindow) windowFrames++;
    const pubMs = pubUs / 1000;
    if (pubMs >= measureFrom && pubMs <= measureTo) hist.add(now - pubMs);
  }
}

function open(port: number, path: string, stall: boolean): Promise<BenchClient> {
  return new Promise((resolve, reject) => {
    const c = new BenchClient((e) => (e ? reject(e) : resolve(c)), stall);
    const s = connect({ port, host: '127.0.0.1', onread: { buffer: READ_BUFFER, callback: (n: number) => (c.onRead(n), true) } }, () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    c.socket = s;
    s.setNoDelay(true);
    s.once('error', reject);
  });
}

async function connectAll(job: Extract<ClientsCommand, { type: 'connect' }>): Promise<BenchClient[]> {
  const healthy: BenchClient[] = [];
  const CONCURRENT = 50;
  for (let i = 0; i < job.clients; i += CONCURRENT) {
    const batch = await Promise.all(Array.from({ length: Math.min(CONCURRENT, job.clients - i) }, (_, k) => open(job.port, job.path, i + k < job.stalled)));
    batch.forEach((c, k) => {
      c.socket.on('error', () => undefined);
      if (i + k < job.stalled) return;
      c.socket.on('close', () => (c.closed = true));
      healthy.push(c);
    });
  }
  return healthy;
}

/**
 * Wait for the tail: while frames still arrive a client is late, not lossy, so the wait goes on
 * for as long as anything moves (up to 60 s); `drainMs` without progress ends it.
 */
async function finish(healthy: BenchClient[], published: number, drainMs: number): Promise<ClientsResult> {
  const hardDeadline = Date.now() + 60_000;
  const total = () => healthy.reduce((s, c) => s + c.received, 0);
  let seen = total();
  let idleSince = Date.now();
  while (Date.now() < hardDeadline && Date.now() - idleSince < drainMs && healthy.some((c) => c.received < published && !c.closed)) {
    await new Promise((r) => setTimeout(r, 50));
    const now = total();
    if (now !== seen) [seen, idleSince] = [now, Date.now()];
  }
  const received = healthy.map((c) => c.received);
  const kept = healthy.filter((c) => !c.closed).map((c) => c.received);
  const cpu = process.cpuUsage(cpu0);
  return {
    cpuCores: (cpu.user + cpu.system) / 1000 / (performance.now() - t0),
    windowFrames,
    receivedMin: kept.length ? Math.min(...kept) : 0,
    receivedMinAll: Math.min(...received),
    receivedMax: Math.max(...received),
    healthyClosed: healthy.filter((c) => c.closed).length,
    orderErrors,
    latency: { p50Ms: hist.quantile(0.5), p99Ms: hist.quantile(0.99), maxMs: hist.max, samples: hist.n },
  };
}

let healthy: BenchClient[] = [];
let cpu0 = process.cpuUsage();
let t0 = performance.now();
const fail = (e: unknown) => {
  process.stderr.write(`bench clients: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
};
process.on('message', (cmd: ClientsCommand) => {
  if (cmd.type === 'connect') {
    connectAll(cmd).then((h) => {
      healthy = h;
      cpu0 = process.cpuUsage();
      t0 = performance.now();
      process.send!({ connected: h.length });
    }, fail);
  } else if (cmd.type === 'window') {
    measureFrom = cmd.fromMs;
    measureTo = cmd.toMs;
  } else {
    finish(healthy, cmd.published, cmd.drainMs).then((r) => process.send!(r, () => process.exit(0)), fail);
  }
});
