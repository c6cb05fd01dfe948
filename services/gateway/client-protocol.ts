/**
 * Pure checks of what a client sends: the upgrade request (path and query) and each message.
 * Every refusal names a protocol error code, so the server's answer is data, not message text.
 */
import type { ClientMessage, ErrorCodeName, EventType, StreamMode } from '../../libs/client/index.js';
import type { RequestTarget } from '../../libs/ws/index.js';
import { parseEvents } from './event-filter.js';
import { parseVenueSet } from './venue-subset.js';

export interface Refusal {
  code: ErrorCodeName;
  message: string;
}

export interface ConnectionRequest {
  mode: StreamMode;
  /** the per-symbol path: snapshots and trades only, WebSocket-level pings */
  simple: boolean;
  symbols: string[];
  depth: number;
  detail: boolean;
  intervalMs: number;
  /** venue set of the books (#16.1), sorted; null = every venue */
  venues: string[] | null;
  /** message kinds the connection gets (#16.3) */
  events: EventType[];
  /** key from the path, for /ws/<key>/<SYMBOL> */
  pathKey?: string;
}

export interface RequestLimits {
  symbols: readonly string[];
  defaultDepth: number;
  maxDepth: number;
  maxSymbols: number;
  minIntervalMs: number;
  /** venue names `venues=` may use */
  venues: readonly string[];
}

export const DEFAULT_SNAPSHOT_INTERVAL_MS = 100;

/**
 * The parsed request, a refusal, or null when the path is not a WebSocket endpoint (404). Works on
 * the normalized target (libs/ws/request-target.ts): segments arrive decoded, nothing here throws.
 */
export function parseUpgrade(target: RequestTarget, lim: RequestLimits): ConnectionRequest | Refusal | null {
  const { segments: seg, query: q } = target;
  let simple = false;
  let pathKey: string | undefined;
  let symbols: string[];
  if (seg.length === 1 && seg[0] === 'ws') {
    symbols = (q.get('symbols') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  } else if (seg.length === 3 && seg[0] === 'ws') {
    simple = true;
    pathKey = seg[1]!;
    symbols = [seg[2]!];
  } else {
    return null;
  }
  const depth = parseDepth(q.get('depth'), lim);
  if (typeof depth !== 'number') return depth;
  const modeRaw = q.get('mode') ?? (simple ? 'snapshot' : 'stream');
  if (modeRaw !== 'stream' && modeRaw !== 'snapshot') return { code: 'BAD_REQUEST', message: `mode must be stream or snapshot` };
  const ivRaw = q.get('interval_ms');
  let intervalMs = DEFAULT_SNAPSHOT_INTERVAL_MS;
  if (ivRaw !== null) {
    if (!/^\d{1,7}$/.test(ivRaw)) return { code: 'BAD_REQUEST', message: 'interval_ms must be a whole number of ms' };
    intervalMs = Math.max(lim.minIntervalMs, Number(ivRaw));
  }
  const detailRaw = q.get('detail') ?? 'totals';
  if (detailRaw !== 'totals' && detailRaw !== 'venues') return { code: 'BAD_REQUEST', message: 'detail must be totals or venues' };
  const venues = parseVenueSet(q.get('venues'), lim.venues);
  if (isRefusal(venues)) return venues;
  const events = parseEvents(simple ? null : q.get('events'));
  if (isRefusal(events)) return events;
  const checked = checkSymbols(symbols, lim);
  if (!Array.isArray(checked)) return checked;
  return { mode: modeRaw, simple, symbols: checked, depth, detail: detailRaw === 'venues', intervalMs, venues, events, ...(pathKey ? { pathKey } : {}) };
}

/** The key in a per-symbol path `/ws/<KEY>/<SYMBOL>`, whether or not the rest of the request is good. */
export function pathKeyOf(target: RequestTarget): string | undefined {
  const seg = target.segments;
  return seg.length === 3 && seg[0] === 'ws' ? seg[1] : undefined;
}

export function parseDepth(raw: unknown, lim: RequestLimits): number | Refusal {
  if (raw === null || raw === undefined) return lim.defaultDepth;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1) return { code: 'BAD_REQUEST', message: 'depth must be a positive integer' };
  return Math.min(n, lim.maxDepth);
}

export function checkSymbols(symbols: unknown, lim: RequestLimits, already = 0): string[] | Refusal {
  if (!Array.isArray(symbols) || !symbols.every((s) => typeof s === 'string' && s.length > 0 && s.length <= 32)) {
    return { code: 'BAD_REQUEST', message: 'symbols must be a list of symbol names' };
  }
  const unknown = symbols.filter((s) => !lim.symbols.includes(s as string));
  if (unknown.length) return { code: 'UNKNOWN_SYMBOL', message: `no consensus symbol ${unknown.map((s) => String(s).slice(0, 32)).join(', ')}` };
  const uniq = [...new Set(symbols as string[])];
  if (uniq.length + already > lim.maxSymbols) return { code: 'BAD_REQUEST', message: `at most ${lim.maxSymbols} symbols per connection` };
  return uniq;
}

/** A client message, checked for shape (symbols are checked by the caller against its state). */
export function parseClientMessage(text: string): ClientMessage | Refusal {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return { code: 'BAD_REQUEST', message: 'message is not JSON' };
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return { code: 'BAD_REQUEST', message: 'message must be a JSON object {"type","payload"}' };
  const o = m as { type?: unknown; payload?: unknown };
  const p = (typeof o.payload === 'object' && o.payload !== null ? o.payload : {}) as Record<string, unknown>;
  switch (o.type) {
    case 'PONG':
      return { type: 'PONG' };
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE':
      if (!Array.isArray(p['symbols'])) return { code: 'BAD_REQUEST', message: `${o.type} needs payload.symbols` };
      return o.type === 'SUBSCRIBE'
        ? {
            type: 'SUBSCRIBE',
            payload: {
              symbols: p['symbols'] as string[],
              ...(p['depth'] !== undefined ? { depth: p['depth'] as number } : {}),
              // checked by the caller (parseVenueSet, parseEvents)
              ...('venues' in p ? { venues: p['venues'] as string[] | null } : {}),
              ...(p['events'] !== undefined ? { events: p['events'] as EventType[] } : {}),
            },
          }
        : { type: 'UNSUBSCRIBE', payload: { symbols: p['symbols'] as string[] } };
    case 'RESYNC':
      if (typeof p['symbol'] !== 'string') return { code: 'BAD_REQUEST', message: 'RESYNC needs payload.symbol' };
      return { type: 'RESYNC', payload: { symbol: p['symbol'] } };
    default:
      return { code: 'BAD_REQUEST', message: `unknown message type ${JSON.stringify(o.type ?? null).slice(0, 40)}` };
  }
}

export function isRefusal(x: unknown): x is Refusal {
  return typeof x === 'object' && x !== null && 'code' in x && 'message' in x && !('type' in x);
}
