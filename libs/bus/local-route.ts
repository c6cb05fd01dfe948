/**
 * One NATS connection shared by two services in one process (the co-located collector + merger,
 * issue #17.4), where what one publishes on a venue subject reaches the other without the NATS
 * round trip. Every publish still goes to NATS, so every other subscriber sees exactly what it
 * would see from a standalone collector; a subscription to a venue book, trade or status subject
 * of a venue run in this process is served in process only, delivered synchronously inside the
 * publish (the merger applies the book in the collector's task, and both messages leave in the
 * same write). Everything else (wildcards, requests, other venues, JetStream) is the connection's.
 *
 * Served in process only, not also from NATS: the server would deliver the same message a second
 * time. So in this mode the merger takes a local venue from the local collector alone; another
 * collector line of that venue elsewhere is not merged (docs/operations.md).
 */
import type { Msg, MsgHdrs, NatsConnection, NatsError, Payload, PublishOptions, Subscription, SubscriptionOptions } from 'nats';
import { parseSubject } from './subjects.js';

const LOCAL_KINDS = new Set(['book', 'trade', 'status']);

export interface LocalRouteEvents {
  /** a local subscriber threw; the publish and the other subscribers go on */
  onSubscriberError(subject: string, e: unknown): void;
}

export class LocalRoute {
  /** the connection both services are given */
  readonly nc: NatsConnection;
  private readonly subs = new Map<string, Set<LocalSubscription>>();
  private delivered = 0;

  constructor(
    private readonly inner: NatsConnection,
    private readonly localVenues: ReadonlySet<string>,
    private readonly events: LocalRouteEvents,
  ) {
    const publish = (subject: string, data?: Payload, opts?: PublishOptions) => this.publish(subject, data, opts);
    const subscribe = (subject: string, opts?: SubscriptionOptions) => this.subscribe(subject, opts);
    this.nc = new Proxy(inner, {
      get(target, prop) {
        if (prop === 'publish') return publish;
        if (prop === 'subscribe') return subscribe;
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }

  /** messages handed to in-process subscribers so far */
  get localDeliveries(): number {
    return this.delivered;
  }

  /** Whether a subscription to `subject` is served in process. */
  servesLocally(subject: string): boolean {
    const p = parseSubject(subject);
    return p !== null && LOCAL_KINDS.has(p.kind) && 'venue' in p && this.localVenues.has(p.venue);
  }

  private publish(subject: string, data?: Payload, opts?: PublishOptions): void {
    this.inner.publish(subject, data, opts);
    const subs = this.subs.get(subject);
    if (!subs) return;
    const msg = new LocalMsg(subject, toBytes(data), opts?.headers);
    for (const s of subs) {
      this.delivered++;
      try {
        s.deliver(msg);
      } catch (e) {
        this.events.onSubscriberError(subject, e);
      }
    }
  }

  private subscribe(subject: string, opts?: SubscriptionOptions): Subscription {
    if (!this.servesLocally(subject)) return this.inner.subscribe(subject, opts);
    const callback = opts?.callback;
    if (!callback) throw new Error(`${subject} is served in process: subscribe with a callback`);
    let set = this.subs.get(subject);
    if (!set) this.subs.set(subject, (set = new Set()));
    const s = new LocalSubscription(subject, callback, opts?.max, (gone) => {
      set.delete(gone);
      if (set.size === 0 && this.subs.get(subject) === set) this.subs.delete(subject);
    });
    set.add(s);
    return s;
  }
}

function toBytes(data: Payload | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return typeof data === 'string' ? Buffer.from(data) : data;
}

class LocalMsg implements Msg {
  readonly sid = 0;
  constructor(
    readonly subject: string,
    readonly data: Uint8Array,
    readonly headers: MsgHdrs | undefined,
  ) {}
  respond(): boolean {
    return false; // no reply subject: a core publish carries none here
  }
  json<T>(): T {
    return JSON.parse(this.string()) as T;
  }
  string(): string {
    return Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength).toString('utf8');
  }
}

type Callback = (err: NatsError | null, msg: Msg) => void;

class LocalSubscription implements Subscription {
  readonly closed: Promise<void>;
  private done = false;
  private received = 0;
  private resolveClosed!: () => void;

  constructor(
    private readonly subject: string,
    readonly callback: Callback,
    private max: number | undefined,
    private readonly remove: (s: LocalSubscription) => void,
  ) {
    this.closed = new Promise((r) => (this.resolveClosed = r));
  }

  deliver(m: Msg): void {
    if (this.done) return;
    this.received++;
    if (this.max !== undefined && this.received >= this.max) this.unsubscribe();
    this.callback(null, m);
  }

  unsubscribe(max?: number): void {
    if (max !== undefined && max > this.received) {
      this.max = max;
      return;
    }
    if (this.done) return;
    this.done = true;
    this.remove(this);
    this.resolveClosed();
  }
  drain(): Promise<void> {
    this.unsubscribe();
    return Promise.resolve();
  }
  isDraining(): boolean {
    return false;
  }
  isClosed(): boolean {
    return this.done;
  }
  getSubject(): string {
    return this.subject;
  }
  getReceived(): number {
    return this.received;
  }
  getProcessed(): number {
    return this.received;
  }
  getPending(): number {
    return 0;
  }
  getID(): number {
    return 0;
  }
  getMax(): number | undefined {
    return this.max;
  }
  [Symbol.asyncIterator](): AsyncIterator<Msg> {
    throw new Error(`${this.subject} is served in process through its callback, not as an iterator`);
  }
}
