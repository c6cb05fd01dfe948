/**
 * One client connection: its bounded write queue, its subscriptions, and the bookkeeping that
 * decides when it is behind (socket buffer at its high-water mark), when it has earned a fresh
 * SNAPSHOT, and when it has misbehaved enough to be closed. Frames are pre-built and shared; the
 * connection only decides which ones it takes.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { WriteQueue, type OverflowReason, type WriteQueueLimits } from '../../libs/ws/index.js';
import type { BookGroup } from './book-group.js';
import type { SymbolFeed } from './symbol-feed.js';
import type { ConnectionRequest } from './client-protocol.js';
import type { EventType } from '../../libs/client/index.js';
import type { VenueSubset } from './venue-subset.js';

export interface Subscription {
  conn: ClientConn;
  symbol: string;
  feed: SymbolFeed;
  group: BookGroup;
  /** venue set of this book (#16.1); null = every venue */
  venues: string[] | null;
  subset: VenueSubset | undefined;
  /** deltas are withheld until a SNAPSHOT goes out (new subscriber, conflation, RESYNC) */
  needsSnapshot: boolean;
  /** snapshot mode: the group version last sent */
  sentVersion: number;
}

export interface RateLimits {
  ratePerS: number;
  burst: number;
  maxStrikes: number;
}

const STRIKE_WINDOW_MS = 60_000;
const RATE_ERROR_EVERY_MS = 1_000;

export class ClientConn {
  readonly queue: WriteQueue;
  readonly subs = new Map<string, Subscription>();
  /** when the connection was first seen behind; 0 while it keeps up */
  behindSince = 0;
  /** outstanding PING send time; 0 when none */
  pingSentAt = 0;
  missedPongs = 0;
  closing = false;
  snapshotTimer: ReturnType<typeof setInterval> | undefined;
  /** what this connection gets (`events=`, SUBSCRIBE's `events`); the per-symbol path: all */
  events: ReadonlySet<EventType>;
  private tokens: number;
  private refilledAt: number;
  private strikes = 0;
  private strikeWindowAt: number;
  private rateErrorAt = 0;

  constructor(
    readonly ws: WebSocket,
    readonly socket: Socket,
    readonly keyId: string,
    readonly req: ConnectionRequest,
    private readonly limits: WriteQueueLimits,
    private readonly rate: RateLimits,
    now: number,
    onOverflow: (c: ClientConn, reason: OverflowReason) => void,
  ) {
    this.events = new Set(req.events);
    this.queue = new WriteQueue(socket, limits, (r) => onOverflow(this, r));
    this.tokens = rate.burst;
    this.refilledAt = now;
    this.strikeWindowAt = now;
  }

  get mode(): string {
    return this.req.simple ? 'symbol-path' : this.req.mode;
  }

  /**
   * true when the client is not keeping up: its socket already holds the high-water mark (the
   * queue has stopped handing it frames). Book deltas then stop and a SNAPSHOT follows the drain.
   * A burst that fills the queue itself within one turn is the queue's overflow, handled there.
   */
  get lagging(): boolean {
    return this.socket.writableLength >= this.limits.socketHighWaterBytes;
  }

  /** Token bucket: false when this message is over the rate. */
  takeToken(now: number): boolean {
    this.tokens = Math.min(this.rate.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.rate.ratePerS);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Whether a RATE_LIMITED error should be sent now (at most one a second, so a flood is not echoed). */
  shouldReportRate(now: number): boolean {
    if (now - this.rateErrorAt < RATE_ERROR_EVERY_MS) return false;
    this.rateErrorAt = now;
    return true;
  }

  /** Count one bad or over-rate message; true when the connection has used up its strikes. */
  strike(now: number): boolean {
    if (now - this.strikeWindowAt > STRIKE_WINDOW_MS) {
      this.strikes = 0;
      this.strikeWindowAt = now;
    }
    this.strikes++;
    return this.strikes > this.rate.maxStrikes;
  }

  /** Bytes this connection holds in memory now (queue + socket buffer). */
  get heldBytes(): number {
    return this.queue.queuedBytes + this.socket.writableLength;
  }
}
