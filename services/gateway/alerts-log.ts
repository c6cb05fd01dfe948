/**
 * The gateway's view of the JetStream alert log (#16.3). One ordered consumer reads it from its
 * first entry: everything goes into the AlertHistory (GET /v1/alerts), and entries newer than the
 * log's end at start-up go to subscribers as ALERT with `id` = the stream sequence, so the id is
 * the same on every gateway. The ordered consumer resumes after NATS reconnects; a failure
 * restarts it right after the last entry read.
 */
import type { JsMsg, NatsConnection } from 'nats';
import { ALERT_STREAM, asAlertMessage, decodeJson, ensureAlertStream, DEFAULT_ALERT_RETENTION_MS } from '../../libs/bus/index.js';
import type { Logger } from '../../libs/obs/index.js';
import { AlertHistory } from './alert-history.js';
import type { GatewayConfig } from './config.js';
import type { Hub } from './hub.js';
import type { GatewayMetrics } from './metrics.js';

const RETRY_MAX_MS = 5_000;
const PULL_EXPIRES_MS = 5_000;

export class AlertLog {
  history: AlertHistory;
  /** true once the log's content at start-up has been read (history is complete) */
  ready = false;
  private liveFrom = Infinity;
  private received = 0;
  private stopped = false;
  private stopCurrent: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly cfg: GatewayConfig,
    private readonly hub: Hub,
    private readonly metrics: GatewayMetrics,
    private readonly log: Logger,
  ) {
    this.history = new AlertHistory(cfg.alertHistoryMax, DEFAULT_ALERT_RETENTION_MS);
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopCurrent?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        if (this.liveFrom === Infinity) await this.open();
        const consumer = await this.nc.jetstream().consumers.get(ALERT_STREAM, { opt_start_seq: Math.max(1, this.received + 1) });
        const messages = await consumer.consume({ max_messages: 256, expires: PULL_EXPIRES_MS });
        this.stopCurrent = () => messages.stop();
        if (this.stopped) messages.stop();
        failures = 0;
        if (this.received >= this.liveFrom) this.ready = true;
        for await (const m of messages) this.onEntry(m);
      } catch (e) {
        if (this.stopped) break;
        this.log.warn({ err: (e as Error).message, after: this.received }, 'alert log consumer failed; retrying');
      } finally {
        this.stopCurrent = undefined;
      }
      if (!this.stopped) await new Promise((r) => setTimeout(r, Math.min(RETRY_MAX_MS, 100 * 2 ** failures++)));
    }
  }

  /** Learn the log's extent and age limit (creating it when the merger has not yet). */
  private async open(): Promise<void> {
    const info = await ensureAlertStream(this.nc, { maxAgeMs: DEFAULT_ALERT_RETENTION_MS });
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
