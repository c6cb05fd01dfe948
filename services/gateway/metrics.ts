/**
 * Gateway metrics (style.md habit 15): `bookfuse_gateway_` prefix, `_total` counters, labels are
 * symbols, message types and reasons — never a connection or a key.
 */
import { LATENCY_BUCKETS_SECONDS, createRegistry, prom, type Registry } from '../../libs/obs/index.js';

export interface QueueStats {
  connections: number;
  frames: number;
  bytes: number;
  maxFrames: number;
  maxBytes: number;
}

export function createGatewayMetrics(queueStats: () => QueueStats, registry: Registry = createRegistry('gateway')) {
  const r = [registry];
  const m = {
    registry,
    connections: new prom.Gauge({ name: 'bookfuse_gateway_connections', help: 'open WebSocket connections by mode', labelNames: ['mode'], registers: r }),
    // not bookfuse_gateway_connections_total: a counter's family name would clash with the gauge above
    connectionsTotal: new prom.Counter({ name: 'bookfuse_gateway_upgrades_total', help: 'WebSocket upgrade attempts by result', labelNames: ['result'], registers: r }),
    closes: new prom.Counter({ name: 'bookfuse_gateway_closes_total', help: 'connections closed by the gateway or the client, by reason', labelNames: ['reason'], registers: r }),
    slowCloses: new prom.Counter({ name: 'bookfuse_gateway_slow_closes_total', help: 'connections closed as slow consumers, by reason', labelNames: ['reason'], registers: r }),
    conflations: new prom.Counter({ name: 'bookfuse_gateway_conflations_total', help: 'times a lagging client had its pending book deltas dropped for a later SNAPSHOT', labelNames: ['symbol'], registers: r }),
    droppedFrames: new prom.Counter({ name: 'bookfuse_gateway_dropped_frames_total', help: 'frames not delivered because a client was behind', labelNames: ['type'], registers: r }),
    messagesOut: new prom.Counter({ name: 'bookfuse_gateway_messages_out_total', help: 'messages queued to clients by type', labelNames: ['type'], registers: r }),
    clientMessages: new prom.Counter({ name: 'bookfuse_gateway_client_messages_total', help: 'client messages by type', labelNames: ['type'], registers: r }),
    clientErrors: new prom.Counter({ name: 'bookfuse_gateway_client_errors_total', help: 'ERROR messages sent, by code', labelNames: ['code'], registers: r }),
    upstream: new prom.Counter({ name: 'bookfuse_gateway_upstream_messages_total', help: 'merger messages received by kind', labelNames: ['kind'], registers: r }),
    upstreamInvalid: new prom.Counter({ name: 'bookfuse_gateway_upstream_invalid_total', help: 'merger messages dropped as malformed, by subject kind', labelNames: ['kind'], registers: r }),
    resyncs: new prom.Counter({ name: 'bookfuse_gateway_resyncs_total', help: 'consensus snapshot requests to the merger, by symbol and reason', labelNames: ['symbol', 'reason'], registers: r }),
    snapshotFailures: new prom.Counter({ name: 'bookfuse_gateway_snapshot_failures_total', help: 'consensus snapshot requests that failed or timed out', labelNames: ['symbol'], registers: r }),
    bookSynced: new prom.Gauge({ name: 'bookfuse_gateway_book_synced', help: '1 while the gateway holds a consensus book it knows to be right', labelNames: ['symbol'], registers: r }),
    fanoutLatency: new prom.Histogram({ name: 'bookfuse_gateway_merge_to_queue_seconds', help: 'merger publish → frames queued to clients', buckets: LATENCY_BUCKETS_SECONDS, registers: r }),
    rest: new prom.Counter({ name: 'bookfuse_gateway_rest_requests_total', help: 'REST requests by route and status', labelNames: ['route', 'status'], registers: r }),
  };
  // a sum and a max are different quantities: one metric each, so sum() over instances stays meaningful
  const queueGauge = (name: string, help: string, pick: (s: QueueStats) => number) =>
    new prom.Gauge({
      name,
      help,
      registers: r,
      collect() {
        this.set(pick(queueStats()));
      },
    });
  queueGauge('bookfuse_gateway_queue_frames', 'frames waiting in all client write queues', (s) => s.frames);
  queueGauge('bookfuse_gateway_queue_max_frames', 'frames waiting in the deepest client write queue', (s) => s.maxFrames);
  queueGauge('bookfuse_gateway_queue_bytes', 'bytes waiting in all client write queues and socket buffers', (s) => s.bytes);
  queueGauge('bookfuse_gateway_queue_max_bytes', 'bytes waiting for the most loaded client (write queue and socket buffer)', (s) => s.maxBytes);
  return m;
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
