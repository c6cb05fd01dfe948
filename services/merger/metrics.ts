/** Merger metrics (issue 4 rule 10). Labels: venue, symbol (consensus), kind, result, reason. */
import { prom, LATENCY_BUCKETS_SECONDS, type Registry } from '../../libs/obs/index.js';

export function createMergerMetrics(registry: Registry) {
  return {
    messagesIn: new prom.Counter({ name: 'bookfuse_merger_messages_in_total', help: 'venue messages received, by kind (book, trade, liq, status)', labelNames: ['venue', 'kind'], registers: [registry] }),
    rejected: new prom.Counter({ name: 'bookfuse_merger_rejected_total', help: 'messages that failed validation or could not be applied', labelNames: ['kind', 'reason'], registers: [registry] }),
    gaps: new prom.Counter({ name: 'bookfuse_merger_gaps_total', help: 'venue book seq gaps seen (each starts a resync)', labelNames: ['venue', 'symbol'], registers: [registry] }),
    snapshotRequests: new prom.Counter({ name: 'bookfuse_merger_snapshot_requests_total', help: 'snapshot requests to collectors, by result (ok, late, not_live, timeout, no_responders, error)', labelNames: ['venue', 'result'], registers: [registry] }),
    stale: new prom.Gauge({ name: 'bookfuse_merger_venue_stale', help: '1 while the venue book is stale in this consensus symbol', labelNames: ['venue', 'symbol'], registers: [registry] }),
    member: new prom.Gauge({ name: 'bookfuse_merger_venue_member', help: '1 while the venue book counts in the totals', labelNames: ['venue', 'symbol'], registers: [registry] }),
    divergent: new prom.Gauge({ name: 'bookfuse_merger_venue_divergent', help: '1 while the venue is flagged divergent', labelNames: ['venue', 'symbol'], registers: [registry] }),
    divergenceRatio: new prom.Gauge({ name: 'bookfuse_merger_venue_divergence_ratio', help: 'distance of the venue mid from the consensus mid, as a fraction of the consensus mid (bps / 10000)', labelNames: ['venue', 'symbol'], registers: [registry] }),
    mergeLatency: new prom.Histogram({ name: 'bookfuse_merger_merge_latency_seconds', help: 'earliest collector recv_ts of the inputs to consensus publish', labelNames: ['symbol'], buckets: LATENCY_BUCKETS_SECONDS, registers: [registry] }),
    published: new prom.Counter({ name: 'bookfuse_merger_published_total', help: 'messages published, by kind (book_snapshot, book_delta, trade, liq, alert, window, window_error)', labelNames: ['kind'], registers: [registry] }),
    alerts: new prom.Counter({ name: 'bookfuse_merger_alerts_total', help: 'alerts raised, by kind', labelNames: ['kind', 'symbol'], registers: [registry] }),
    duplicates: new prom.Counter({ name: 'bookfuse_merger_duplicates_dropped_total', help: 'exact duplicates dropped (trade, liq)', labelNames: ['kind'], registers: [registry] }),
    active: new prom.Gauge({ name: 'bookfuse_merger_active', help: '1 while this merger holds its shard lease and publishes (active), 0 while standby', registers: [registry] }),
    takeovers: new prom.Counter({ name: 'bookfuse_merger_takeovers_total', help: 'times this merger became the active one of its shard (a new epoch each time; the first start included)', registers: [registry] }),
    demotions: new prom.Counter({ name: 'bookfuse_merger_demotions_total', help: 'times this merger stopped being active, by reason (lost, expired, disconnected, stopped)', labelNames: ['reason'], registers: [registry] }),
    leaseRenewFailures: new prom.Counter({ name: 'bookfuse_merger_lease_renew_failures_total', help: 'lease renewals that failed, by reason (cas, timeout, error)', labelNames: ['reason'], registers: [registry] }),
    lineSwitches: new prom.Counter({ name: 'bookfuse_merger_line_switches_total', help: 'venue books switched to another collector line, by reason (first, gap, down, not_live, silent)', labelNames: ['venue', 'reason'], registers: [registry] }),
    venueLine: new prom.Gauge({ name: 'bookfuse_merger_venue_line', help: '1 for the collector line a venue book (venue symbol) is taken from, 0 for the others', labelNames: ['venue', 'symbol', 'line'], registers: [registry] }),
    tradesMerged: new prom.Counter({ name: 'bookfuse_merger_trades_merged_total', help: 'venue trades merged into an existing consensus print', labelNames: ['symbol'], registers: [registry] }),
    liqRedeliveries: new prom.Counter({ name: 'bookfuse_merger_liq_redeliveries_total', help: 'venue liquidations delivered again by the durable consumer (not acknowledged in time, or by a merger that went away)', registers: [registry] }),
    liqPublishRetries: new prom.Counter({ name: 'bookfuse_merger_liq_publish_retries_total', help: 'consensus log publishes not acknowledged and retried, by reason', labelNames: ['reason'], registers: [registry] }),
    liqConsumerRestarts: new prom.Counter({ name: 'bookfuse_merger_liq_consumer_restarts_total', help: 'times the durable liquidation consumer was attached again after an error, by reason', labelNames: ['reason'], registers: [registry] }),
  };
}

export type MergerMetrics = ReturnType<typeof createMergerMetrics>;
