/**
 * The gateway's copy of the window price log (#16.5). One in-order consumer reads BOOKFUSE_WINDOWS
 * from the last entry of every (asset, interval) on, so a gateway started mid-window knows the
 * current window's price, the same one every other gateway knows; newer entries are kept as the
 * latest and handed to the window server to push.
 */
import type { JsMsg, NatsConnection } from 'nats';
import { DeliverPolicy } from 'nats';
import { StreamFollower, WINDOW_STREAM, decodeJson, ensureWindowStream } from '../../libs/bus/index.js';
import type { WindowEvent } from '../../libs/consensus/index.js';
import type { Logger } from '../../libs/obs/index.js';
import type { GatewayMetrics } from './metrics.js';

export function asWindowEvent(x: unknown): WindowEvent {
  const o = x as Record<string, unknown> | null;
  const ok =
    typeof o === 'object' &&
    o !== null &&
    (o['type'] === 'window_open' ? typeof o['price'] === 'string' && Array.isArray(o['venues']) : o['type'] === 'window_open_error' && typeof o['reason'] === 'string') &&
    typeof o['asset'] === 'string' &&
    typeof o['marketType'] === 'string' &&
    Number.isInteger(o['window_start']) &&
    Number.isInteger(o['window_end']);
  if (!ok) throw new Error('not a window event');
  return o as unknown as WindowEvent;
}

export class WindowsFeed {
  /** `${asset}|${type}` → the newest window event */
  readonly latest = new Map<string, WindowEvent>();
  onEvent: (e: WindowEvent) => void = () => undefined;
  private received = 0;
  private readonly follower: StreamFollower;

  constructor(
    nc: NatsConnection,
    private readonly metrics: GatewayMetrics,
    log: Logger,
  ) {
    this.follower = new StreamFollower(nc, {
      stream: WINDOW_STREAM,
      prepare: async () => void (await ensureWindowStream(nc)),
      // first the last entry per subject, afterwards resume right after the last one read
      start: () => (this.received === 0 ? { deliver_policy: DeliverPolicy.LastPerSubject } : { opt_start_seq: this.received + 1 }),
      onEntry: (m) => this.onEntry(m),
      onError: (e) => log.warn({ err: e.message }, 'window log consumer failed; retrying'),
    });
  }

  static key(asset: string, type: string): string {
    return `${asset}|${type}`;
  }

  start(): void {
    this.follower.start();
  }

  stop(): Promise<void> {
    return this.follower.stop();
  }

  private onEntry(m: JsMsg): void {
    this.received = Math.max(this.received, m.seq);
    this.metrics.upstream.inc({ kind: 'window' });
    let e: WindowEvent;
    try {
      e = asWindowEvent(decodeJson(m.data));
    } catch {
      this.metrics.upstreamInvalid.inc({ kind: 'window' });
      return;
    }
    const key = WindowsFeed.key(e.asset, e.marketType);
    const had = this.latest.get(key);
    if (had && had.window_start >= e.window_start) return; // never back, never twice
    this.latest.set(key, e);
    this.onEvent(e);
  }
}
