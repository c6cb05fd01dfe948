/**
 * prom-client registry per service with the shared conventions of style.md habit 15:
 * `bookfuse_` prefix, unit suffixes, `_total` on counters, low-cardinality labels only.
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
  client.collectDefaultMetrics({ register: registry, prefix: 'bookfuse_process_', eventLoopMonitoringPrecision: 10 });
  registry.registerMetric(fatalErrors);
  return registry;
}

/** Latency buckets in ms for per-hop histograms: sub-ms resolution where NATS lives. */
export const LATENCY_BUCKETS_MS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000];
