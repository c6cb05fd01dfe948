/**
 * prom-client registry per service with the shared conventions of style.md habit 15 and
 * `promtool check metrics`: `bookfuse_` prefix, base units (`_seconds`, `_bytes`; never `_ms`),
 * `_total` on counters only, low-cardinality labels only. Renames are listed in docs/metrics.md.
 */
import client from 'prom-client';

export type Registry = client.Registry;
export const prom = client;

/**
 * Fatal errors of this process (uncaught exception, unhandled rejection), registered in every
 * service registry: the process exits right after, so this is mostly read by tests and by a
 * scrape that races the exit; the supervisor's restart count is the durable signal.
 */
export const fatalErrors = new client.Counter({
  name: 'bookfuse_process_fatal_errors_total',
  help: 'Uncaught exceptions and unhandled rejections; each ends the process (exit 70) for the supervisor to restart',
  labelNames: ['kind'] as const,
  registers: [],
});

export function createRegistry(service: string): client.Registry {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  client.collectDefaultMetrics({ register: registry, prefix: 'bookfuse_', eventLoopMonitoringPrecision: 10 });
  // gauges that prom-client names `_total` (a counter suffix): sum() of the per-type gauge instead
  for (const name of DROPPED_DEFAULTS) registry.removeSingleMetric(name);
  registry.registerMetric(fatalErrors);
  return registry;
}

const DROPPED_DEFAULTS = ['bookfuse_nodejs_active_handles_total', 'bookfuse_nodejs_active_requests_total', 'bookfuse_nodejs_active_resources_total'];

/** Latency buckets in seconds for per-hop histograms: sub-ms resolution where NATS lives. */
export const LATENCY_BUCKETS_SECONDS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];
