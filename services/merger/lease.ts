/**
 * The merger's leadership lease: one key per shard in a JetStream KV bucket whose max_age is the
 * lease TTL. Create = acquire, update with the last revision (CAS) = renew, delete on a clean stop.
 *
 * Fencing (docs/merger.md "Active and standby"): the holder may publish only until
 * `sent + TTL − margin` on its own monotonic clock, where `sent` is when it sent its last
 * successful renew. The server stored that renew no earlier than `sent`, so it cannot expire the
 * key (and let another merger create it) before `sent + TTL` in real time; the margin covers a
 * server clock stepping forward and clock skew between NATS nodes. A CAS error (someone else holds
 * the key) or a NATS disconnect demotes at once; a renew that only times out demotes when the
 * deadline passes. `mayPublish()` is checked on every publish, so a stalled event loop cannot
 * publish past the deadline either.
 */
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { KV, NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { openLeaseBucket } from '../../libs/bus/index.js';

export type Role = 'active' | 'standby';
export type DemoteReason = 'lost' | 'expired' | 'disconnected' | 'stopped';

export interface LeaseOptions {
  key: string;
  ttlMs: number;
  renewMs: number;
  marginMs: number;
  replicas: number;
}

export interface LeaseEvents {
  /** this merger now holds the lease; start publishing with `epoch` */
  promoted(epoch: number): void;
  /** publishing already stopped (mayPublish() is false); stop duties */
  demoted(reason: DemoteReason): void;
  renewFailed(reason: 'cas' | 'timeout' | 'error'): void;
}

interface LeaseValue {
  holder: string;
  epoch: number;
}

/** JetStream's "wrong last sequence": the key moved on without us */
const WRONG_LAST_SEQUENCE = 10071;

/** What the merger needs of its lease. */
export interface Lease {
  readonly role: Role;
  readonly epoch: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  mayPublish(): boolean;
  problem(): string | null;
}

/**
 * MERGER_HA=off: the only merger of its shard, active from start to stop with no lease (and no
 * JetStream KV). Two of these on one shard would both publish: that is the operator's promise.
 */
export class NoLease implements Lease {
  role: Role = 'standby';
  epoch = 0;

  constructor(private readonly events: Pick<LeaseEvents, 'promoted' | 'demoted'>) {}

  async start(): Promise<void> {
    this.role = 'active';
    this.epoch = Date.now();
    this.events.promoted(this.epoch);
  }

  async stop(): Promise<void> {
    if (this.role !== 'active') return;
    this.role = 'standby';
    this.events.demoted('stopped');
  }

  mayPublish(): boolean {
    return this.role === 'active';
  }

  problem(): string | null {
    return null;
  }
}

export class MergerLease implements Lease {
  role: Role = 'standby';
  /** the epoch of our latest promotion (0 before the first) */
  epoch = 0;
  readonly holder = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  private kv: KV | undefined;
  /** our revision of the key while we hold it, or may still hold it (kept across a disconnect) */
  private revision = 0;
  private deadline = 0;
  /** highest epoch seen in the key, so a takeover's epoch is always higher */
  private seenEpoch = 0;
  private busy = false;
  private stopped = false;
  private stepTimer: ReturnType<typeof setTimeout> | undefined;
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;
  private lastError = '';
  /** the last attempt found the key held by another merger */
  private heldElsewhere = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly opts: LeaseOptions,
    private readonly events: LeaseEvents,
    private readonly log: Logger,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /**
   * Resolves once it is known who holds the lease (so a lone merger is active when this resolves),
   * or after two TTLs without a lease store; then keeps at it.
   */
  async start(): Promise<void> {
    void this.watchConnection();
    const until = this.clock() + 2 * this.opts.ttlMs;
    await this.step();
    while (this.role !== 'active' && !this.heldElsewhere && !this.stopped && this.clock() < until) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  mayPublish(): boolean {
    return this.role === 'active' && this.clock() < this.deadline;
  }

  /** Why /readyz should fail, or null. */
  problem(): string | null {
    return this.kv === undefined ? `lease store unavailable${this.lastError ? `: ${this.lastError}` : ''}` : null;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.stepTimer);
    clearTimeout(this.expiryTimer);
    if (this.role === 'active') this.demote('stopped');
    // hand over at once instead of after the TTL
    if (this.revision > 0 && this.kv && !this.nc.isClosed()) await this.kv.delete(this.opts.key, { previousSeq: this.revision }).catch(() => undefined);
    this.revision = 0;
  }

  private async step(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    let next = this.opts.renewMs;
    try {
      // an ack later than the fence deadline is of no use, so no request waits longer
      this.kv ??= await openLeaseBucket(this.nc, { ttlMs: this.opts.ttlMs, replicas: this.opts.replicas, timeoutMs: this.opts.ttlMs - this.opts.marginMs });
      this.lastError = '';
      if (this.role === 'active') await this.renew();
      else next = await this.acquire();
    } catch (e) {
      const msg = (e as Error).message;
      // no responders: the bucket is gone (memory storage does not survive a NATS restart): open (re-create) it again
      if ((e as { code?: string }).code === '503') this.kv = undefined;
      if (msg !== this.lastError) this.log.warn({ err: msg, lease_key: this.opts.key }, 'merger lease store unavailable');
      this.lastError = msg;
      // the bucket is in memory: a restarted server no longer has it (no responders), so open
      // (and create) it again on the next step rather than asking a stream that is gone
      if (!isWrongSequence(e)) this.kv = undefined;
      // a store electing a new leader answers again any moment: ask often (each try is one request)
      next = Math.min(this.opts.renewMs, 100);
    } finally {
      this.busy = false;
    }
    if (!this.stopped) {
      clearTimeout(this.stepTimer);
      this.stepTimer = setTimeout(() => void this.step(), next);
    }
  }

  private async renew(): Promise<void> {
    const sent = this.clock();
    try {
      this.revision = await this.kv!.update(this.opts.key, this.value(this.epoch), this.revision);
      this.extend(sent);
    } catch (e) {
      if (isWrongSequence(e)) {
        // a renew whose ack we missed may have landed: then the key is still ours (deadline unchanged)
        const entry = await this.kv!.get(this.opts.key).catch(() => null);
        const v = entry ? parseValue(entry.value) : undefined;
        if (entry && entry.operation === 'PUT' && v?.holder === this.holder) {
          this.revision = entry.revision;
          return;
        }
        this.events.renewFailed('cas');
        this.revision = 0;
        this.demote('lost');
        return;
      }
      this.events.renewFailed(isTimeout(e) ? 'timeout' : 'error');
      if (!this.mayPublish() && this.role === 'active') this.demote('expired');
    }
  }

  /** Standby: resume a key we may still hold, or create it; returns when to try next. */
  private async acquire(): Promise<number> {
    const kv = this.kv!;
    const epoch = Math.max(Date.now(), this.seenEpoch + 1, this.epoch + 1);
    const sent = this.clock();
    if (this.revision > 0) {
      try {
        this.revision = await kv.update(this.opts.key, this.value(epoch), this.revision);
        this.promote(sent, epoch);
        return this.opts.renewMs;
      } catch (e) {
        if (!isWrongSequence(e)) throw e;
        this.revision = 0;
      }
    }
    try {
      this.revision = await kv.create(this.opts.key, this.value(epoch));
      this.promote(sent, epoch);
      return this.opts.renewMs;
    } catch (e) {
      if (!isWrongSequence(e)) throw e;
    }
    // held by another: learn its epoch, and come back just after the key would expire
    const entry = await kv.get(this.opts.key);
    if (entry === null || entry.operation !== 'PUT') return 0;
    this.heldElsewhere = true;
    const v = parseValue(entry.value);
    if (v) this.seenEpoch = Math.max(this.seenEpoch, v.epoch);
    const expiresIn = entry.created.getTime() + this.opts.ttlMs - Date.now();
    return Math.max(20, Math.min(this.opts.renewMs, expiresIn + 20));
  }

  private promote(sent: number, epoch: number): void {
    this.extend(sent);
    if (this.clock() >= this.deadline) return; // the ack came too late to use; the next attempt decides
    this.role = 'active';
    this.epoch = epoch;
    this.seenEpoch = Math.max(this.seenEpoch, epoch);
    this.log.info({ lease_key: this.opts.key, epoch, holder: this.holder }, 'merger lease acquired: active');
    this.events.promoted(epoch);
  }

  private extend(sent: number): void {
    this.deadline = sent + this.opts.ttlMs - this.opts.marginMs;
    clearTimeout(this.expiryTimer);
    this.expiryTimer = setTimeout(() => {
      if (this.role === 'active' && !this.mayPublish()) this.demote('expired');
    }, Math.max(0, this.deadline - this.clock()) + 1);
  }

  private demote(reason: DemoteReason): void {
    if (this.role !== 'active') return;
    this.role = 'standby';
    this.deadline = 0;
    clearTimeout(this.expiryTimer);
    this.log.warn({ lease_key: this.opts.key, reason, epoch: this.epoch }, 'merger lease lost: standby');
    this.events.demoted(reason);
  }

  /** A disconnected client may hold publishes in its buffer: stop at once, resume via CAS later. */
  private async watchConnection(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (this.stopped) return;
      if (s.type === 'disconnect') this.demote('disconnected');
      if (s.type === 'reconnect') {
        clearTimeout(this.stepTimer);
        void this.step();
      }
    }
  }

  private value(epoch: number): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ holder: this.holder, epoch } satisfies LeaseValue));
  }
}

function parseValue(data: Uint8Array): LeaseValue | undefined {
  try {
    const v = JSON.parse(new TextDecoder().decode(data)) as Partial<LeaseValue>;
    return typeof v.holder === 'string' && typeof v.epoch === 'number' ? { holder: v.holder, epoch: v.epoch } : undefined;
  } catch {
    return undefined;
  }
}

function isWrongSequence(e: unknown): boolean {
  return (e as { api_error?: { err_code?: number } }).api_error?.err_code === WRONG_LAST_SEQUENCE;
}

function isTimeout(e: unknown): boolean {
  return (e as { code?: string }).code === 'TIMEOUT';
}
