/**
 * API keys: a request's key comes from `?token=`, `Authorization: Bearer`, `X-API-KEY` or the
 * per-symbol path. It is hashed and compared with every configured hash in constant time, so
 * neither timing nor an early exit tells how close a guess was. Keys are never logged; a key is
 * known to the rest of the gateway only by a short id derived from its hash.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { hashKey } from './config.js';

export function presentedKey(headers: IncomingHttpHeaders, query: URLSearchParams, pathKey?: string): string | undefined {
  if (pathKey) return pathKey;
  const token = query.get('token');
  if (token) return token;
  const auth = headers.authorization;
  if (auth && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim() || undefined;
  const x = headers['x-api-key'];
  if (typeof x === 'string' && x) return x;
  return undefined;
}

/** The key's id (first hash bytes, hex) when it is one of ours, else undefined. */
export function authenticate(key: string | undefined, hashes: readonly Buffer[]): string | undefined {
  if (key === undefined || key.length > 512) return undefined;
  const h = hashKey(key);
  let match: Buffer | undefined;
  for (const known of hashes) {
    if (timingSafeEqual(h, known)) match = known;
  }
  return match ? match.subarray(0, 6).toString('hex') : undefined;
}

/** Browsers always send Origin; other clients do not and are not subject to the list. */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  return allowed.length === 0 || origin === undefined || allowed.includes(origin);
}
