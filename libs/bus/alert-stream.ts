/**
 * The alert log (#16.3): JetStream keeps every `bookfuse.v1.consensus.alert.*` the merger
 * publishes, so an alert's stream sequence is its id on every gateway, and a reconnecting client
 * can ask for what it missed. Creating is idempotent; only `reconcile` callers (the merger, which
 * owns the retention) update an existing stream's limits.
 */
import type { NatsConnection, StreamInfo } from 'nats';
import { findOrCreateStream } from './streams.js';
import { ALERT_STREAM, subjects } from './subjects.js';

export interface AlertStreamOptions {
  /** how long alerts stay fetchable */
  maxAgeMs: number;
  /** JetStream replicas (1 on a single server) */
  replicas?: number;
  /** update an existing stream's retention to these options */
  reconcile?: boolean;
}

export const DEFAULT_ALERT_RETENTION_MS = 24 * 3600_000;

export async function ensureAlertStream(nc: NatsConnection, opts: AlertStreamOptions): Promise<StreamInfo> {
  const maxAge = opts.maxAgeMs * 1_000_000; // nanoseconds
  const config = { name: ALERT_STREAM, subjects: [subjects.allConsensusAlerts()], max_age: maxAge, num_replicas: opts.replicas ?? 1 };
  return findOrCreateStream(nc, config, async (jsm, info) => {
    if (!opts.reconcile) return info;
    const replicas = opts.replicas ?? info.config.num_replicas;
    if (info.config.max_age === maxAge && info.config.num_replicas === replicas) return info;
    // a single server refuses more than one replica: then only the retention is reconciled
    return jsm.streams.update(ALERT_STREAM, { ...info.config, max_age: maxAge, num_replicas: replicas }).catch(() => jsm.streams.update(ALERT_STREAM, { ...info.config, max_age: maxAge }));
  });
}
