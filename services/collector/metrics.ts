/** Collector metrics (design.md "Configuration, logs, metrics"). Labels: venue, symbol, kind, code. */
import { prom, CellCounter, CellHistogram, LATENCY_BUCKETS_SECONDS, type Registry } from '../../libs/obs/index.js';

export function createCollectorMetrics(registry: Registry) {
  return {
    // per-frame and per-message metrics: VenueRunner counts through cells (libs/obs/cells.ts)
    framesIn: new CellCounter({ name: 'bookfuse_collector_frames_in_total', help: 'venue frames received', labelNames: ['venue'], registers: [registry] }),
    messagesOut: new CellCounter({ name: 'bookfuse_collector_messages_out_total', help: 'messages published to NATS', labelNames: ['venue', 'subject'], registers: [registry] }),
    problems: new prom.Counter({ name: 'bookfuse_collector_problems_total', help: 'rejected frames, gaps, checksum and crossed-book failures, by code', labelNames: ['venue', 'code'], registers: [registry] }),
    resyncs: new prom.Counter({ name: 'bookfuse_collector_book_resyncs_total', help: 'venue books discarded and re-synced', labelNames: ['venue', 'reason'], registers: [registry] }),
    checksumFailures: new prom.Counter({ name: 'bookfuse_collector_checksum_failures_total', help: 'venue checksum mismatches', labelNames: ['venue'], registers: [registry] }),
    reconnects: new prom.Counter({ name: 'bookfuse_collector_reconnects_total', help: 'venue socket closes, by reason', labelNames: ['venue', 'reason'], registers: [registry] }),
    schemaDrift: new prom.Counter({ name: 'bookfuse_collector_schema_drift_total', help: 'venue frames that drifted from the known schema: unknown fields, fallbacks taken, optional fields missing', labelNames: ['venue', 'field', 'kind'], registers: [registry] }),
    snapshotsFetched: new prom.Counter({ name: 'bookfuse_collector_rest_snapshots_total', help: 'REST book snapshots fetched', labelNames: ['venue', 'result'], registers: [registry] }),
    bookState: new prom.Gauge({ name: 'bookfuse_collector_book_live', help: '1 while the venue book is live', labelNames: ['venue', 'symbol'], registers: [registry] }),
    venueLatency: new CellHistogram({ name: 'bookfuse_collector_venue_latency_seconds', help: 'receive time minus venue event time (includes clock offset)', labelNames: ['venue'], buckets: LATENCY_BUCKETS_SECONDS, registers: [registry] }),
    publishLatency: new CellHistogram({ name: 'bookfuse_collector_publish_latency_seconds', help: 'frame receipt to NATS publish', labelNames: ['venue'], buckets: LATENCY_BUCKETS_SECONDS, registers: [registry] }),
    liqBuffered: new prom.Gauge({ name: 'bookfuse_collector_liq_buffered', help: 'liquidations held until JetStream acknowledges them (BOOKFUSE_VENUE_LIQ)', registers: [registry] }),
    liqStored: new prom.Counter({ name: 'bookfuse_collector_liq_stored_total', help: 'liquidations acknowledged by the JetStream stream', labelNames: ['venue'], registers: [registry] }),
    liqRetries: new prom.Counter({ name: 'bookfuse_collector_liq_publish_retries_total', help: 'liquidation publishes not acknowledged and retried, by reason', labelNames: ['venue', 'reason'], registers: [registry] }),
    liqDropped: new prom.Counter({ name: 'bookfuse_collector_liq_dropped_total', help: 'liquidations dropped because the buffer was full (COLLECTOR_LIQ_BUFFER)', labelNames: ['venue'], registers: [registry] }),
  };
}

export type CollectorMetrics = ReturnType<typeof createCollectorMetrics>;
