/**
 * prom-client registry per service with the shared conventions of style.md habit 15:
 * `bookfuse_` prefix, unit suffixes, `_total` on counters, low-cardinality labels only.
 */
import client from 'prom-client';

export type Registry = client.Registry;
export const prom = client;

export function createRegistry(service: string): client.Registry {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  client.collectDefaultMetrics({ register: registry, prefix: 'bookfuse_process_', eventLoopMonitoringPrecision: 10 });
  return registry;
}

/** Latency buckets in ms for per-hop histograms: sub-ms resolution where NATS lives. */
export const LATENCY_BUCKETS_MS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000];
