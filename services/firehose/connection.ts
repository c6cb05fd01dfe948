/**
 * One client of the firehose: its filter, its bounded write queue, where it is in the log
 * (`lastSeq`) and whether it is still replaying. Everything it is sent goes through the queue —
 * PONGs and control messages too — so no client can make the server buffer more than its caps.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { CloseCode, textFrame, WriteQueue, type OverflowReason, type WriteQueueLimits } from '../../libs/ws/index.js';
import { isPing, PONG_PAYLOAD } from './payload.js';
import type { Endpoint, FeedRequest } from './request.js';

const PONG_FRAME = textFrame(PONG_PAYLOAD);

export interface ConnectionOptions {
  limits: WriteQueueLimits;
  /** a client that stops reading never completes the close handshake: cut it after this */
  closeGraceMs: number;
}

export interface ConnectionEvents {
  /** the queue overflowed: the owner counts it; the connection closes itself */
  slow(reason: OverflowReason): void;
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
  private readonly symbols: ReadonlySet<string> | undefined;
  private readonly venues: ReadonlySet<string> | undefined;

  constructor(
    readonly ws: WebSocket,
    socket: Socket,
    req: FeedRequest,
    private readonly opts: ConnectionOptions,
    events: ConnectionEvents,
  ) {
    this.endpoint = req.endpoint;
    this.symbols = req.symbols;
    this.venues = req.venues;
    this.lastActivityMs = Date.now();
    this.queue = new WriteQueue(socket, opts.limits, (reason) => {
      if (this.closing) return;
      events.slow(reason);
      this.close(CloseCode.SLOW_CONSUMER, `slow consumer: write queue over its ${reason === 'messages' ? 'message' : 'byte'} cap`);
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (data.length === 0) return;
      this.lastActivityMs = Date.now();
      if (!isBinary && isPing(data)) this.queue.push(PONG_FRAME);
    });
    ws.on('ping', () => (this.lastActivityMs = Date.now()));
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
