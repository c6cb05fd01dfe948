/**
 * The NATS side: consensus books and trades per configured symbol (alerts come from the
 * JetStream alert log, alerts-log.ts), and the snapshot
 * requests a SymbolFeed asks for (at start-up, on a gap, on a new epoch without a snapshot).
 * Callback subscriptions keep each subject's messages in order on the event loop.
 */
import { nowMs } from '../../libs/core/index.js';
import type { NatsConnection, Subscription as NatsSub } from 'nats';
import { asConsensusBookMessage, asConsensusTradeMessage, decodeJson, encode, subjects } from '../../libs/bus/index.js';
import type { Logger } from '../../libs/obs/index.js';
import type { GatewayConfig } from './config.js';
import type { Hub } from './hub.js';
import type { GatewayMetrics } from './metrics.js';
import type { FeedStep, ResyncReason } from './symbol-feed.js';

export class Upstream {
  private readonly subs: NatsSub[] = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private stopped = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly cfg: GatewayConfig,
    private readonly hub: Hub,
    private readonly metrics: GatewayMetrics,
    private readonly log: Logger,
  ) {}

  start(): void {
    for (const symbol of this.cfg.symbols) {
      this.metrics.bookSynced.set({ symbol }, 0);
      this.subs.push(
        this.nc.subscribe(subjects.consensusBook(symbol), {
          callback: (err, msg) => {
            if (err) return;
            this.metrics.upstream.inc({ kind: 'book' });
            const m = this.decode(msg.data, 'book', asConsensusBookMessage);
            if (m && m.symbol === symbol) this.step(symbol, this.hub.feeds.get(symbol)!.onPublished(m, nowMs()));
          },
        }),
        this.nc.subscribe(subjects.consensusTrade(symbol), {
          callback: (err, msg) => {
            if (err) return;
            this.metrics.upstream.inc({ kind: 'trade' });
            const t = this.decode(msg.data, 'trade', asConsensusTradeMessage);
            if (t) this.hub.onTrade(symbol, t);
          },
        }),
      );
      this.step(symbol, this.hub.feeds.get(symbol)!.retry('start'));
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.subs) s.unsubscribe();
  }

  private decode<T>(data: Uint8Array, kind: string, validate: (x: unknown) => T): T | undefined {
    try {
      return validate(decodeJson(data));
    } catch (e) {
      this.metrics.upstreamInvalid.inc({ kind });
      this.log.warn({ kind, err: (e as Error).message }, 'dropped malformed merger message');
      return undefined;
    }
  }

  private step(symbol: string, s: FeedStep): void {
    const held = this.hub.feeds.get(symbol)!.held;
    this.metrics.bookSynced.set({ symbol }, held.synced ? 1 : 0);
    if (s.changed) this.hub.onBookChanged(symbol);
    if (s.requestSnapshot) this.requestSnapshot(symbol, s.requestSnapshot);
  }

  private requestSnapshot(symbol: string, reason: ResyncReason): void {
    if (this.stopped) return;
    const feed = this.hub.feeds.get(symbol)!;
    this.metrics.resyncs.inc({ symbol, reason });
    if (reason !== 'start' && reason !== 'retry') this.log.warn({ symbol, reason, seq: feed.held.seq, epoch: feed.held.epoch }, 'consensus book resync');
    this.nc
      .request(subjects.consensusSnapshot(symbol), encode({}), { timeout: this.cfg.snapshotTimeoutMs })
      .then((msg) => {
        const m = this.decode(msg.data, 'snapshot', asConsensusBookMessage);
        if (!m || m.kind !== 'snapshot' || m.symbol !== symbol) throw new Error('reply is not a snapshot of this symbol');
        this.step(symbol, feed.onSnapshotReply(m, nowMs()));
      })
      .catch((e: Error) => {
        feed.onSnapshotFailed();
        this.metrics.snapshotFailures.inc({ symbol });
        this.log.debug({ symbol, err: e.message }, 'consensus snapshot request failed');
        if (this.stopped) return;
        const t = setTimeout(() => {
          this.timers.delete(t);
          if (!this.stopped) this.step(symbol, feed.retry('retry'));
        }, this.cfg.snapshotRetryMs);
        this.timers.add(t);
      });
  }
}
