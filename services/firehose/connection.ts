/**
 * One client of the firehose: its filter, its bounded write queue, where it is in the log
 * (`lastSeq`) and whether it is still replaying. Everything it is sent goes through the queue —
 * PONGs and control messages too — so no client can make the server buffer more than its caps.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { CloseCode, PING_FRAME, textFrame, WriteQueue, type OverflowReason, type WriteQueueLimits } from '../../libs/ws/index.js';
import { isPing, PONG_PAYLOAD } from './payload.js';
import type { Endpoint, FeedRequest } from './request.js';

const PONG_FRAME = textFrame(PONG_PAYLOAD);
/** how often a client that keeps up has its lag probed (its first probe goes with its first data) */
const PROBE_INTERVAL_MS = 30_000;
/** a client whose frames wait in its queue (its socket took all it will) is probed this often */
const BACKLOG_PROBE_INTERVAL_MS = 1_000;

export interface ConnectionOptions {
  limits: WriteQueueLimits;
  /** a client that stops reading never completes the close handshake: cut it after this */
  closeGraceMs: number;
}

/** why a client was dropped as a slow consumer: a queue cap, or too far behind to answer a ping */
export type SlowReason = OverflowReason | 'lag';

export interface ConnectionEvents {
  /** the client fell behind: the owner counts it; the connection closes itself */
  slow(reason: SlowReason): void;
  /** a lag probe came back after `ms`: how far behind the live feed this client reads */
  lag(ms: number): void;
}

export class FeedConnection {
  readonly queue: WriteQueue;
  readonly endpoint: Endpoint;
  /** highest log seq this client has been sent (or told is missing) */
  lastSeq = 0;
  /** false while `?after=` replay runs: the live fan-out skips it */
  live = false;
  lastActivityMs: number;
  closing = false;
  /** the close code we chose; undefined when the client closed first */
  closeCode: number | undefined;
  /** when the unanswered lag probe was queued (performance.now ms) */
  private probeSentMs: number | undefined;
  /** when the last lag probe went out (performance.now ms) */
  private lastProbeMs = -Infinity;
  private readonly symbols: ReadonlySet<string> | undefined;
  private readonly venues: ReadonlySet<string> | undefined;

  constructor(
    readonly ws: WebSocket,
    socket: Socket,
    req: FeedRequest,
    private readonly opts: ConnectionOptions,
    private readonly events: ConnectionEvents,
  ) {
    this.endpoint = req.endpoint;
    this.symbols = req.symbols;
    this.venues = req.venues;
    this.lastActivityMs = Date.now();
    this.queue = new WriteQueue(socket, opts.limits, (reason) => {
      if (this.closing) return;
      this.events.slow(reason);
      this.close(CloseCode.SLOW_CONSUMER, `slow consumer: write queue over its ${reason === 'messages' ? 'message' : 'byte'} cap`);
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (data.length === 0) return;
      this.lastActivityMs = Date.now();
      if (!isBinary && isPing(data)) this.queue.push(PONG_FRAME);
    });
    ws.on('ping', () => (this.lastActivityMs = Date.now()));
    // a pong answers our probe; it is not the client's activity (or our pings would keep it alive)
    ws.on('pong', () => {
      if (this.probeSentMs === undefined) return;
      this.events.lag(performance.now() - this.probeSentMs);
      this.probeSentMs = undefined;
    });
  }

  /** Data from the live fan-out, written now; a due lag probe goes in the same write. */
  deliver(frame: Buffer, messages: number): void {
    // frames held back: the kernel and the socket's high-water mark are full, the client is behind
    const backlogged = this.queue.depth > 0;
    if (!this.queue.append(frame, messages)) return;
    if (this.probeSentMs === undefined) {
      const since = performance.now() - this.lastProbeMs;
      if (since >= PROBE_INTERVAL_MS || (backlogged && since >= BACKLOG_PROBE_INTERVAL_MS)) this.queueProbe();
    }
    this.queue.flush();
  }

  /**
   * Lag probe, checked about once a second: a ping goes out behind everything this client has
   * been sent; when its pong has not come back within `maxLagMs`, the client is that far behind
   * (or not reading at all) and is dropped as a slow consumer. This catches a stalled reader
   * within seconds, whatever the kernel's socket buffers (megabytes on loopback) absorb before
   * the queue caps would notice.
   *
   * While events flow, the ping rides in the client's next data write once it is due: with its
   * first data (a client that never reads is gone in `maxLagMs`), then every 30 s, and every
   * second while frames wait in its queue (one that stops reading is gone `maxLagMs` after its
   * socket fills). Pinging every client at once would be a burst of writes (and of pongs to
   * read) that delays everyone's data, and each probe costs a pong to read: a client that keeps
   * up costs one every 30 s.
   */
  probe(maxLagMs: number): void {
    if (this.closing) return;
    const now = performance.now();
    if (this.probeSentMs !== undefined) {
      if (now - this.probeSentMs <= maxLagMs) return;
      this.events.slow('lag');
      this.close(CloseCode.SLOW_CONSUMER, `slow consumer: more than ${maxLagMs} ms behind (no answer to a ping)`);
    } else if (now - this.lastProbeMs >= 2 * PROBE_INTERVAL_MS || (this.queue.depth > 0 && now - this.lastProbeMs >= BACKLOG_PROBE_INTERVAL_MS)) {
      // no data went out since one was due (the feed is quiet), or frames wait behind a full
      // socket and no more may come to carry it: send it alone
      this.queueProbe();
      this.queue.flush();
    }
  }

  private queueProbe(): void {
    const now = performance.now();
    this.lastProbeMs = now;
    if (this.queue.append(PING_FRAME)) this.probeSentMs = now;
  }

  /** frames wait in its queue, or its socket still holds bytes the kernel would not take: it reads slower than we write */
  get backlogged(): boolean {
    return this.queue.depth > 0 || this.queue.socketBytes > 0;
  }

  /** true when every event reaches this client (no filter) */
  get unfiltered(): boolean {
    return this.symbols === undefined && this.venues === undefined;
  }

  matches(symbol: string, venue: string): boolean {
    return (this.symbols === undefined || this.symbols.has(symbol)) && (this.venues === undefined || this.venues.has(venue));
  }

  /** A control message (GAP, ERROR) through the same bounded queue as the data. */
  sendText(payload: string): boolean {
    return this.queue.push(textFrame(payload));
  }

  /** Close now; what is still queued is dropped (the close code says why). */
  close(code: number, reason: string, lastWords?: string): void {
    if (this.closing) return;
    this.closing = true;
    this.closeCode = code;
    this.live = false;
    this.queue.close();
    // one small frame straight to the socket: the queue is gone, and the client should read why
    if (lastWords !== undefined) this.ws.send(lastWords);
    this.ws.close(code, closeReason(reason));
    setTimeout(() => this.ws.terminate(), this.opts.closeGraceMs).unref();
  }
}

/** RFC 6455 caps a close reason at 123 bytes. */
function closeReason(reason: string): string {
  return Buffer.byteLength(reason) <= 123 ? reason : Buffer.from(reason).subarray(0, 120).toString('utf8').replace(/\uFFFD$/, '') + '…';
}
