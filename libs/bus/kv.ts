/**
 * JetStream key-value buckets bookfuse relies on, and the only place their names and keys are
 * built. The merger lease bucket holds one key per merger shard; its TTL (the stream's max_age)
 * is the lease time: a holder that stops renewing loses the key when the server expires it.
 */
import { StorageType, type KV, type NatsConnection } from 'nats';
import { BookfuseError } from '../core/index.js';

export const MERGER_LEASE_BUCKET = 'BOOKFUSE_MERGER_LEASE';

const KEY_TOKEN = /^[A-Za-z0-9_-]+$/;

function keyToken(t: string): string {
  if (!KEY_TOKEN.test(t)) throw new BookfuseError('BAD_CONFIG', `not a valid KV key token: ${JSON.stringify(t)}`);
  return t;
}

/** 32-bit FNV-1a in hex: a short, stable name for a set of consensus symbols. */
function fnvHex(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * The lease key of the mergers that own exactly `symbols`: the ownership is readable in the key,
 * and the hash of the owned set keeps mergers with different group configurations from fencing
 * each other (mergers share a lease exactly when they would publish the same symbols).
 */
export const leaseKeys = {
  mergerShard: (index: number, count: number, symbols: Iterable<string>) => `merger.shard.${index}-of-${count}.${setHash(symbols)}`,
  mergerSymbols: (symbols: Iterable<string>) => `merger.symbols.${setHash(symbols)}`,
  mergerAll: (symbols: Iterable<string>) => `merger.all.${setHash(symbols)}`,
} as const;

function setHash(symbols: Iterable<string>): string {
  return fnvHex([...symbols].map(keyToken).sort().join(','));
}

export interface LeaseBucketOptions {
  /** lease time: the bucket's max_age */
  ttlMs: number;
  replicas: number;
  /** JetStream request timeout for puts on this bucket */
  timeoutMs: number;
}

/**
 * Opens (creating if needed) the lease bucket: history 1, memory storage (a lease outliving a
 * full cluster restart is worthless), max_age = the lease TTL. An existing bucket with another
 * TTL is reconciled, so every merger fences on the same time.
 */
export async function openLeaseBucket(nc: NatsConnection, opts: LeaseBucketOptions): Promise<KV> {
  const js = nc.jetstream({ timeout: opts.timeoutMs });
  const kv = await js.views.kv(MERGER_LEASE_BUCKET, { history: 1, ttl: opts.ttlMs, storage: StorageType.Memory, replicas: opts.replicas, timeout: opts.timeoutMs });
  const jsm = await nc.jetstreamManager({ timeout: opts.timeoutMs });
  const stream = `KV_${MERGER_LEASE_BUCKET}`;
  const info = await jsm.streams.info(stream);
  const maxAge = opts.ttlMs * 1_000_000;
  if (info.config.max_age !== maxAge) await jsm.streams.update(stream, { ...info.config, max_age: maxAge });
  return kv;
}
