/**
 * JetStream streams bookfuse relies on. Creating is idempotent and the config is reconciled, so
 * every service that touches a stream can call its ensure at start-up:
 * - BOOKFUSE_VENUE_LIQ (`bookfuse.v1.liq.>`): the collectors' liquidations, kept until the merger
 *   has read them (durable consumer), so neither a NATS restart nor a merger away loses one;
 * - BOOKFUSE_LIQ (`bookfuse.v1.consensus.liq`): the merger's deduplicated log the firehose replays.
 * Both deduplicate by Nats-Msg-Id within their duplicate window, and take their replica count
 * from LIQ_REPLICAS.
 */
import { RetentionPolicy, StorageType, type JetStreamManager, type NatsConnection, type StreamConfig, type StreamInfo } from 'nats';
import { parse, type FieldSpec } from '../config/index.js';
import { LIQ_STREAM, VENUE_LIQ_STREAM, subjects } from './subjects.js';

export interface LiqStreamOptions {
  /** how long liquidations stay replayable */
  maxAgeMs: number;
  /** cap on stored bytes; -1 = unlimited */
  maxBytes?: number;
  /** replicas of the stream (LIQ_REPLICAS); 1 on a single server */
  replicas?: number;
}

export const DEFAULT_LIQ_RETENTION_MS = 24 * 3600_000;
/** The collectors' stream only bridges outages (NATS, merger): an hour is ample and bounds a replay. */
export const DEFAULT_VENUE_LIQ_RETENTION_MS = 3600_000;
/**
 * Duplicate windows. The collector retries an unacknowledged publish for as long as NATS is
 * away; the merger may be away for a supervisor's restart. Past the window a re-sent id is no
 * longer recognised by the stream (the merger still drops it from its own memory of recent ids and
 * the tail of the consensus log it reads at start, see services/merger/liq-consumer.ts).
 */
export const VENUE_LIQ_DUPLICATE_WINDOW_MS = 10 * 60_000;
export const LIQ_DUPLICATE_WINDOW_MS = 10 * 60_000;

/** LIQ_REPLICAS, the same in every service that ensures a stream (merger, collector, firehose). */
export const liqReplicasField: FieldSpec<number> = {
  env: 'LIQ_REPLICAS',
  parse: parse.int(1, 5),
  default: 1,
  doc: 'replicas of the JetStream liquidation streams (BOOKFUSE_VENUE_LIQ, BOOKFUSE_LIQ): 1 on one server, 3 on a cluster; an existing stream is scaled to it where NATS allows',
};

export interface EnsureResult {
  jsm: JetStreamManager;
  /** the replica count the stream has after reconciliation (may differ from the one asked) */
  replicas: number;
  /** why the asked config could not be applied to an existing stream, if it could not */
  problem?: string;
}

export async function ensureLiqStream(nc: NatsConnection, opts: LiqStreamOptions): Promise<JetStreamManager> {
  return (await ensureStream(nc, LIQ_STREAM, [subjects.consensusLiq()], LIQ_DUPLICATE_WINDOW_MS, opts)).jsm;
}

export async function ensureVenueLiqStream(nc: NatsConnection, opts: Partial<LiqStreamOptions> = {}): Promise<EnsureResult> {
  return ensureStream(nc, VENUE_LIQ_STREAM, [subjects.allLiqs()], VENUE_LIQ_DUPLICATE_WINDOW_MS, { maxAgeMs: DEFAULT_VENUE_LIQ_RETENTION_MS, ...opts });
}

const NS = 1_000_000;

function isStreamNotFound(e: unknown): boolean {
  const err = e as { code?: string; api_error?: { err_code?: number } };
  return err.api_error?.err_code === 10059 || err.code === '404';
}

/**
 * A stream's info, the stream created from `config` (file storage, limits retention) when it does
 * not exist; `existing` decides what becomes of one that does (its limits reconciled, or taken as
 * it is). Used by the alert and window logs; the liquidation streams reconcile more (below).
 */
export async function findOrCreateStream(
  nc: NatsConnection,
  config: Partial<StreamConfig> & { name: string },
  existing: (jsm: JetStreamManager, info: StreamInfo) => Promise<StreamInfo>,
): Promise<StreamInfo> {
  const jsm = await nc.jetstreamManager();
  try {
    return await existing(jsm, await jsm.streams.info(config.name));
  } catch (e) {
    if (!isStreamNotFound(e)) throw e;
    return jsm.streams.add({ retention: RetentionPolicy.Limits, storage: StorageType.File, ...config });
  }
}

/**
 * Create the stream, or reconcile retention, size and replicas of an existing one. NATS can
 * scale a clustered stream's replicas up or down in place; a single server refuses more than 1,
 * and a cluster refuses more replicas than it has nodes: then the stream stays as it is, the
 * problem is returned (callers log it) and the service goes on with what exists.
 */
async function ensureStream(nc: NatsConnection, name: string, subjectList: string[], dupWindowMs: number, opts: LiqStreamOptions): Promise<EnsureResult> {
  const jsm = await nc.jetstreamManager();
  const replicas = opts.replicas ?? 1;
  const config: Partial<StreamConfig> & { name: string } = {
    name,
    subjects: subjectList,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: opts.maxAgeMs * NS,
    max_bytes: opts.maxBytes ?? -1,
    // publishers set Nats-Msg-Id: a retry within the window is stored once
    duplicate_window: Math.min(dupWindowMs, opts.maxAgeMs) * NS,
    num_replicas: replicas,
  };
  let info;
  try {
    info = await jsm.streams.info(name);
  } catch (e) {
    // only a stream that does not exist is created; any other failure (a timeout while a
    // cluster elects its leaders) is the caller's to retry
    if (!isStreamNotFound(e)) throw e;
    info = undefined;
  }
  if (!info) {
    try {
      await jsm.streams.add(config);
      return { jsm, replicas };
    } catch (e) {
      if (replicas === 1 || !/replica/i.test((e as Error).message)) throw e;
      // a single server cannot hold more than one replica: keep the data, say why
      await jsm.streams.add({ ...config, num_replicas: 1 });
      return { jsm, replicas: 1, problem: `created with 1 replica: ${(e as Error).message}` };
    }
  }
  const c = info.config;
  const want = { max_age: config.max_age!, max_bytes: config.max_bytes!, duplicate_window: config.duplicate_window! };
  const drift = c.max_age !== want.max_age || c.max_bytes !== want.max_bytes || c.duplicate_window !== want.duplicate_window;
  if (!drift && c.num_replicas === replicas) return { jsm, replicas };
  try {
    await jsm.streams.update(name, { ...c, ...want, num_replicas: replicas });
    return { jsm, replicas };
  } catch (e) {
    const problem = `kept ${c.num_replicas} replica(s), asked ${replicas}: ${(e as Error).message}`;
    if (drift) await jsm.streams.update(name, { ...c, ...want }).catch(() => undefined);
    return { jsm, replicas: c.num_replicas, problem };
  }
}
