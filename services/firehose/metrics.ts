/** Firehose metrics (issue 6 item 6). Labels stay low-cardinality: endpoint, reason, result. */
import { prom, LATENCY_BUCKETS_SECONDS, type Registry } from '../../libs/obs/index.js';

export function createFirehoseMetrics(registry: Registry) {
  const r = [registry];
  return {
    connections: new prom.Gauge({ name: 'bookfuse_firehose_connections', help: 'open client connections', labelNames: ['endpoint'], registers: r }),
    disconnects: new prom.Counter({ name: 'bookfuse_firehose_disconnects_total', help: 'client connections closed, by reason', labelNames: ['reason'], registers: r }),
    authFailures: new prom.Counter({ name: 'bookfuse_firehose_auth_failures_total', help: 'upgrades refused for a missing or unknown API key', registers: r }),
    badRequests: new prom.Counter({ name: 'bookfuse_firehose_bad_requests_total', help: 'upgrades refused for a malformed request', registers: r }),
    eventsIn: new prom.Counter({ name: 'bookfuse_firehose_events_in_total', help: 'liquidations read from the JetStream log (live)', registers: r }),
    badEvents: new prom.Counter({ name: 'bookfuse_firehose_bad_events_total', help: 'log entries that are not valid liquidations (skipped, announced as GAP)', registers: r }),
    eventsOut: new prom.Counter({ name: 'bookfuse_firehose_events_out_total', help: 'liquidation messages queued to clients (events x clients)', labelNames: ['path'], registers: r }),
    gaps: new prom.Counter({ name: 'bookfuse_firehose_gaps_total', help: 'GAP messages announced to clients, by reason', labelNames: ['reason'], registers: r }),
    queueDepth: new prom.Gauge({ name: 'bookfuse_firehose_queue_depth_messages', help: 'messages waiting in all per-connection write queues', registers: r }),
    queueDepthMax: new prom.Gauge({ name: 'bookfuse_firehose_queue_depth_max_messages', help: 'deepest per-connection write queue', registers: r }),
    rotationSeconds: new prom.Gauge({ name: 'bookfuse_firehose_rotation_period_seconds', help: 'a client\'s longest wait for an event now: under load the paced rotation (every client once at the write share, no shorter than the readers\' floor, at most the write interval unless the clients do not fit in it), otherwise writing every client once at the write share', registers: r }),
    queueBytes: new prom.Gauge({ name: 'bookfuse_firehose_queue_bytes', help: 'bytes waiting in all per-connection write queues and socket buffers', registers: r }),
    slowDropped: new prom.Counter({ name: 'bookfuse_firehose_slow_consumers_dropped_total', help: 'clients closed with 4000 slow consumer', labelNames: ['reason'], registers: r }),
    replayRequests: new prom.Counter({ name: 'bookfuse_firehose_replay_requests_total', help: '?after= replays, by result', labelNames: ['result'], registers: r }),
    replayedEvents: new prom.Counter({ name: 'bookfuse_firehose_replayed_events_total', help: 'liquidations sent from the log during replays', registers: r }),
    consumerRestarts: new prom.Counter({ name: 'bookfuse_firehose_consumer_restarts_total', help: 'live log consumer restarted after an error, a stall (its node lost) or a stream reset', labelNames: ['reason'], registers: r }),
    clientLag: new prom.Histogram({
      name: 'bookfuse_firehose_client_lag_seconds',
      help: 'how far behind the live feed clients read: round trip of a ping queued behind their data',
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: r,
    }),
    publishToWrite: new prom.Histogram({
      name: 'bookfuse_firehose_publish_to_write_seconds',
      help: 'time from the NATS publish (JetStream store time) to the frame being handed to every live client socket',
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: r,
    }),
  };
}

export type FirehoseMetrics = ReturnType<typeof createFirehoseMetrics>;
