/**
 * The gateway's view of the JetStream alert log (#16.3). One consumer (libs/bus StreamFollower)
 * reads it in order from its first entry: everything goes into the AlertHistory (GET /v1/alerts),
 * and entries newer than the log's end at start-up go to subscribers as ALERT with `id` = the
 * stream sequence, so the id is the same on every gateway. The consumer resumes after NATS
 * reconnects; a failure restarts it right after the last entry read.
 */
import type { JsMsg, NatsConnection } from 'nats';
import { ALERT_STREAM, asAlertMessage, decodeJson, ensureAlertStream, DEFAULT_ALERT_RETENTION_MS, StreamFollower } from '../../libs/bus/index.js';
import type { Logger } from '../../libs/obs/index.js';
import { AlertHistory } from './alert-history.js';
import type { GatewayConfig } from './config.js';
import type { Hub } from './hub.js';
import type { GatewayMetrics } from './metrics.js';

export class AlertLog {
  history: AlertHistory;
  /** true once the log's content at start-up has been read (history is complete) */
  ready = false;
  private liveFrom = Infinity;
  private received = 0;
  private readonly follower: StreamFollower;

  constructor(
    nc: NatsConnection,
    private readonly cfg: GatewayConfig,
    private readonly hub: Hub,
    private readonly metrics: GatewayMetrics,
    private readonly log: Logger,
  ) {
    this.history = new AlertHistory(cfg.alertHistoryMax, DEFAULT_ALERT_RETENTION_MS);
    this.follower = new StreamFollower(nc, {
      stream: ALERT_STREAM,
      prepare: async () => {
        if (this.liveFrom === Infinity) await this.open(nc);
        if (this.received >= this.liveFrom) this.ready = true;
      },
      start: () => ({ opt_start_seq: Math.max(1, this.received + 1) }),
      onEntry: (m) => this.onEntry(m),
      onError: (e) => this.log.warn({ err: e.message, after: this.received }, 'alert log consumer failed; retrying'),
    });
  }

  start(): void {
    this.follower.start();
  }

  stop(): Promise<void> {
    return this.follower.stop();
  }

  /** Learn the log's extent and age limit (creating it when the merger has not yet). */
  private async open(nc: NatsConnection): Promise<void> {
    const info = await ensureAlertStream(nc, { maxAgeMs: DEFAULT_ALERT_RETENTION_MS });
    const maxAgeMs = info.config.max_age > 0 ? info.config.max_age / 1_000_000 : Number.MAX_SAFE_INTEGER;
    this.history = new AlertHistory(this.cfg.alertHistoryMax, maxAgeMs);
    this.history.startAt(info.state.first_seq);
    this.received = Math.max(0, info.state.first_seq - 1);
    this.liveFrom = info.state.last_seq;
    this.hub.lastAlertId = Math.max(this.hub.lastAlertId, info.state.last_seq);
    if (this.received >= this.liveFrom) this.ready = true;
  }

  private onEntry(m: JsMsg): void {
    if (m.seq <= this.received) return;
    this.received = m.seq;
    this.hub.lastAlertId = m.seq;
    this.metrics.upstream.inc({ kind: 'alert' });
    let a;
    try {
      a = { ...asAlertMessage(decodeJson(m.data)), id: m.seq };
    } catch (e) {
      this.metrics.upstreamInvalid.inc({ kind: 'alert' });
      this.log.warn({ seq: m.seq, err: (e as Error).message }, 'dropped malformed alert log entry');
      return;
    }
    this.history.add(a, m.info.timestampNanos / 1e6);
    if (m.seq > this.liveFrom) {
      if (this.hub.feeds.has(a.symbol)) this.hub.onAlert(a.symbol, a);
    } else if (m.seq === this.liveFrom) {
      this.ready = true;
    }
  }
}
