/**
 * API keys for every WebSocket front (gateway, firehose): kept only as SHA-256 digests and
 * compared in constant time against every digest, so neither memory dumps nor timing reveal a
 * key or how close a guess came. A configured entry may already be a digest (`sha256:<hex>`),
 * keeping plain keys out of the environment too. Keys are never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const KEY_DIGEST_PREFIX = 'sha256:';
/** longer candidates are refused before hashing: no key is this long */
const MAX_KEY_LENGTH = 512;

export function keyDigest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Configured keys → digests (entries written as `sha256:<64 hex>` are digests already). */
export function keyDigests(keys: readonly string[]): Buffer[] {
  return keys.map((k) => (k.startsWith(KEY_DIGEST_PREFIX) ? Buffer.from(k.slice(KEY_DIGEST_PREFIX.length), 'hex') : keyDigest(k)));
}

/** The digest the candidate matches, or undefined; all digests are always compared. */
export function matchKey(candidate: string | undefined, digests: readonly Buffer[]): Buffer | undefined {
  if (candidate === undefined || candidate.length === 0 || candidate.length > MAX_KEY_LENGTH) return undefined;
  const d = keyDigest(candidate);
  let match: Buffer | undefined;
  for (const known of digests) if (known.length === d.length && timingSafeEqual(known, d)) match = known;
  return match;
}

/** The key a request presents: `?token=`, then `Authorization: Bearer`, then `X-API-KEY`. */
export function presentedKey(headers: Record<string, string | string[] | undefined>, query: URLSearchParams): string | undefined {
  const token = query.get('token');
  if (token) return token;
  const auth = headers['authorization'];
  if (typeof auth === 'string' && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim() || undefined;
  const x = headers['x-api-key'];
  const v = Array.isArray(x) ? x[0] : x;
  return v || undefined;
}
