/**
 * JetStream streams bookfuse relies on. Creating is idempotent and the config is reconciled, so
 * the merger (which publishes) and the firehose (which replays) can both call it at start-up.
 */
import { RetentionPolicy, StorageType, type JetStreamManager, type NatsConnection } from 'nats';
import { LIQ_STREAM, subjects } from './subjects.js';

export interface LiqStreamOptions {
  /** how long liquidations stay replayable */
  maxAgeMs: number;
  /** cap on stored bytes; -1 = unlimited */
  maxBytes?: number;
}

export const DEFAULT_LIQ_RETENTION_MS = 24 * 3600_000;

export async function ensureLiqStream(nc: NatsConnection, opts: LiqStreamOptions): Promise<JetStreamManager> {
  const jsm = await nc.jetstreamManager();
  const config = {
    name: LIQ_STREAM,
    subjects: [subjects.consensusLiq()],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: opts.maxAgeMs * 1_000_000, // nanoseconds
    max_bytes: opts.maxBytes ?? -1,
    // the merger publishes each liquidation with Nats-Msg-Id = its id: a retry within the window is stored once
    duplicate_window: 120 * 1_000_000_000,
  };
  try {
    const info = await jsm.streams.info(LIQ_STREAM);
    if (info.config.max_age !== config.max_age || info.config.max_bytes !== config.max_bytes) {
      await jsm.streams.update(LIQ_STREAM, { ...info.config, max_age: config.max_age, max_bytes: config.max_bytes });
    }
  } catch {
    await jsm.streams.add(config);
  }
  return jsm;
}
