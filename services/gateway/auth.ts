/**
 * Gateway auth: a request's key comes from the per-symbol path, `?token=`, `Authorization:
 * Bearer` or `X-API-KEY`, and is checked by libs/ws/api-keys.ts (digests, constant time). The rest
 * of the gateway knows a key only by a short id derived from its digest.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { matchKey, presentedKey as keyFromRequest } from '../../libs/ws/index.js';

export function presentedKey(headers: IncomingHttpHeaders, query: URLSearchParams, pathKey?: string): string | undefined {
  return pathKey || keyFromRequest(headers, query);
}

/** The key's id (first digest bytes, hex) when it is one of ours, else undefined. */
export function authenticate(key: string | undefined, hashes: readonly Buffer[]): string | undefined {
  const d = matchKey(key, hashes);
  return d && keyIdOf(d);
}

/** The short id a key is known by (logs, limits): the first digest bytes, hex. */
export function keyIdOf(digest: Buffer): string {
  return digest.subarray(0, 6).toString('hex');
}

/** Browsers always send Origin; other clients do not and are not subject to the list. */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  return allowed.length === 0 || origin === undefined || allowed.includes(origin);
}
