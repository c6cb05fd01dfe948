/**
 * The collector: one VenueRunner per configured venue, status heartbeats on
 * `bookfuse.v1.status.<venue>`, and answers to `bookfuse.v1.snapshot.<venue>.<SYM>` requests.
 */
import type { NatsConnection, Subscription } from 'nats';
import type { Logger } from 'pino';
import { decodeJson, encode, parseSubject, subjects } from '../../libs/bus/index.js';
import type { ErrorCodeName } from '../../libs/client/index.js';
import type { Registry } from '../../libs/obs/index.js';
import { createAdapter } from '../../libs/venues/index.js';
import type { CollectorConfig } from './config.js';
import { createCollectorMetrics } from './metrics.js';
import { VenueRunner } from './venue-runner.js';
import { LiqPublisher } from './liq-publisher.js';

/** over this share of COLLECTOR_LIQ_BUFFER the collector says it is not ready */
const LIQ_BUFFER_NOT_READY = 0.5;

export interface CollectorDeps {
  nc: NatsConnection;
  log: Logger;
  registry: Registry;
}

export class Collector {
  readonly runners: VenueRunner[];
  readonly liqs: LiqPublisher;
  private subs: Subscription[] = [];
  private statusTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: Readonly<CollectorConfig>,
    private readonly deps: CollectorDeps,
  ) {
    const metrics = createCollectorMetrics(deps.registry);
    this.liqs = new LiqPublisher(deps.nc, { capacity: config.liqBuffer, replicas: config.liqReplicas, ackTimeoutMs: config.liqAckTimeoutMs }, deps.log, metrics);
    this.runners = config.venues.map(
      (v) =>
        new VenueRunner(createAdapter(v, config.perVenue[v]?.options), config.perVenue[v] ?? { venue: v, options: {} }, { bases: config.bases, quotes: config.quotes, depth: config.depth, line: config.line }, { ...deps, metrics, liqs: this.liqs }),
    );
  }

  async start(): Promise<void> {
    for (const r of this.runners) {
      const sub = this.deps.nc.subscribe(subjects.venueSnapshots(r.venue), {
        callback: (_err, msg) => {
          // a request naming another line is that line's to answer
          if (!forLine(msg.data, this.config.line)) return;
          const parsed = parseSubject(msg.subject);
          if (parsed?.kind !== 'snapshot') return;
          const symbol = parsed.symbol;
          const snap = r.snapshot(symbol);
          msg.respond(encode(snap ?? { error: { code: 'NOT_LIVE' satisfies ErrorCodeName, message: `${r.venue} ${symbol} is not live` } }));
        },
      });
      this.subs.push(sub);
    }
    this.statusTimer = setInterval(() => this.publishStatus(), this.config.statusIntervalMs);
    // Metadata may take a while (or retry for ever while a venue is unreachable): don't block start.
    for (const r of this.runners) void r.start();
    this.publishStatus();
  }

  /** Ready when every venue has at least one live book. */
  notReadyReason(): string | null {
    if (this.deps.nc.isClosed()) return 'NATS connection closed';
    if (this.liqs.buffered > this.liqs.capacity * LIQ_BUFFER_NOT_READY) return `liquidation buffer filling: ${this.liqs.buffered} of ${this.liqs.capacity} waiting for JetStream`;
    const waiting = this.runners.filter((r) => !Object.values(r.status().symbols).some((s) => s.state === 'live')).map((r) => r.venue);
    return waiting.length ? `no live book yet on ${waiting.join(', ')}` : null;
  }

  async stop(): Promise<void> {
    if (this.statusTimer) clearInterval(this.statusTimer);
    for (const r of this.runners) r.stop();
    // what the venues sent before the stop still reaches the stream if NATS is there
    await this.liqs.drain(2000);
    this.liqs.stop();
    // A final status tells the merger at once that these books are gone.
    for (const r of this.runners) this.deps.nc.publish(subjects.status(r.venue), encode({ ...r.status(), state: 'down' }));
    for (const s of this.subs) s.unsubscribe();
  }

  private publishStatus(): void {
    for (const r of this.runners) this.deps.nc.publish(subjects.status(r.venue), encode(r.status()));
  }
}

/** A snapshot request body names the line it wants (`{"line":"B"}`); empty or no line = any. */
function forLine(data: Uint8Array, line: string): boolean {
  if (data.length === 0) return true;
  try {
    const want = (decodeJson(data) as { line?: unknown } | null)?.line;
    return typeof want !== 'string' || want === line;
  } catch {
    return true;
  }
}
