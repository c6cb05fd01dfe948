/**
 * What a client asked for, read from the upgrade request alone (pure: no socket, no clock).
 * `after` takes the firehose `seq` every payload carries (docs/firehose.md): it is the JetStream
 * stream sequence, the same on every firehose instance, so a client may reconnect anywhere.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { presentedKey, type RequestTarget } from '../../libs/ws/index.js';

export const FEED_PATH = '/ws/v1/liquidation/feed';
export const FILTERED_PATH = '/ws/v1/liquidation';

export type Endpoint = 'feed' | 'filtered';

export interface FeedRequest {
  endpoint: Endpoint;
  /** `?token=`, `Authorization: Bearer` or `X-API-KEY`, as on the gateway */
  key: string | undefined;
  /** replay everything with seq > after, then go live */
  after: number | undefined;
  /** undefined = every symbol / venue */
  symbols: ReadonlySet<string> | undefined;
  venues: ReadonlySet<string> | undefined;
  /** filter entries that name no symbol / venue there is (already removed from the sets above) */
  unknownSymbols: string[];
  unknownVenues: string[];
}

/** What exists, for filters: venue ids, and a check that a name is a canonical symbol. */
export interface FilterUniverse {
  venues: readonly string[];
  isSymbol(s: string): boolean;
}

/** Canonical symbols are BASE-QUOTE (design.md); `BTCUSDT` is a venue's spelling, not one of ours. */
export const CANONICAL_SYMBOL = /^[A-Z0-9]{1,20}-[A-Z0-9]{1,20}$/;

export type RequestProblem = { kind: 'not_found' } | { kind: 'bad_request'; message: string };

const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_FILTER_ENTRIES = 256;

/** Works on the normalized target (libs/ws/request-target.ts): nothing here throws. */
export function parseFeedRequest(target: RequestTarget, headers: IncomingHttpHeaders, universe?: FilterUniverse): FeedRequest | RequestProblem {
  const endpoint: Endpoint | undefined = target.path === FEED_PATH ? 'feed' : target.path === FILTERED_PATH ? 'filtered' : undefined;
  if (!endpoint) return { kind: 'not_found' };
  const q = target.query;
  const key = presentedKey(headers, q);

  let after: number | undefined;
  const rawAfter = q.get('after');
  if (rawAfter !== null) {
    if (!/^\d{1,15}$/.test(rawAfter)) {
      return { kind: 'bad_request', message: `after must be a seq (a non-negative integer from a payload's "seq"), got ${JSON.stringify(rawAfter.slice(0, 40))}` };
    }
    after = Number(rawAfter);
  }

  const symbols = filterSet(q.get('symbols'), (s) => s.toUpperCase());
  const venues = filterSet(q.get('venues'), (s) => s.toLowerCase());
  if (typeof symbols === 'string') return { kind: 'bad_request', message: `symbols: ${symbols}` };
  if (typeof venues === 'string') return { kind: 'bad_request', message: `venues: ${venues}` };
  if (endpoint === 'feed' && (symbols || venues)) {
    return { kind: 'bad_request', message: `${FEED_PATH} carries everything; filter with ${FILTERED_PATH}?symbols=…&venues=…` };
  }
  const known = splitKnown(symbols, venues, universe);
  if (typeof known === 'string') return { kind: 'bad_request', message: known };
  return { endpoint, key, after, ...known };
}

/**
 * Filter entries that name nothing are reported, not silently matched against nothing; a filter
 * left with no known entry at all would deliver nothing, so it is a bad request.
 */
function splitKnown(symbols: ReadonlySet<string> | undefined, venues: ReadonlySet<string> | undefined, u: FilterUniverse | undefined) {
  const unknownSymbols = symbols ? [...symbols].filter((s) => !(u ? u.isSymbol(s) : CANONICAL_SYMBOL.test(s))) : [];
  const unknownVenues = venues && u ? [...venues].filter((v) => !u.venues.includes(v)) : [];
  const keep = (set: ReadonlySet<string> | undefined, drop: string[]) => (set && drop.length ? new Set([...set].filter((x) => !drop.includes(x))) : set);
  const ks = keep(symbols, unknownSymbols);
  const kv = keep(venues, unknownVenues);
  if (ks && ks.size === 0) return `no known symbol in symbols (unknown: ${unknownSymbols.join(', ')}); symbols are canonical BASE-QUOTE, e.g. BTC-USDT`;
  if (kv && kv.size === 0) return `no known venue in venues (unknown: ${unknownVenues.join(', ')}); known: ${u?.venues.join(', ')}`;
  return { symbols: ks, venues: kv, unknownSymbols, unknownVenues };
}

/** undefined = no filter; a string = what is wrong */
function filterSet(raw: string | null, norm: (s: string) => string): ReadonlySet<string> | undefined | string {
  if (raw === null) return undefined;
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) return 'empty list';
  if (items.length > MAX_FILTER_ENTRIES) return `at most ${MAX_FILTER_ENTRIES} entries`;
  const bad = items.find((s) => !TOKEN.test(s));
  if (bad !== undefined) return `not a valid name: ${JSON.stringify(bad.slice(0, 40))}`;
  return new Set(items.map(norm));
}

export function isProblem(r: FeedRequest | RequestProblem): r is RequestProblem {
  return 'kind' in r;
}
