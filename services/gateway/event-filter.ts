/**
 * The `events` filter (#16.3): which message kinds a /ws connection gets. BOOK stands for the
 * book stream (SNAPSHOT and BOOK); control messages (HANDSHAKE, SUBSCRIBED, PING, ERROR …) always go.
 */
import type { EventType } from '../../libs/client/index.js';

export const EVENT_TYPES: readonly EventType[] = ['BOOK', 'TRADE', 'ALERT'];

/** a refusal of client-protocol.ts (kept structural: client-protocol.ts imports this module) */
export interface BadEvents {
  code: 'BAD_REQUEST';
  message: string;
}

/** `events` from the URL (comma list) or SUBSCRIBE (array): the set in canonical order; omitted = all. */
export function parseEvents(raw: unknown): EventType[] | BadEvents {
  if (raw === null || raw === undefined) return [...EVENT_TYPES];
  const list = typeof raw === 'string' ? raw.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean) : raw;
  if (!Array.isArray(list) || list.length > 16 || !list.every((e) => typeof e === 'string')) return { code: 'BAD_REQUEST', message: 'events must be a list of BOOK, TRADE, ALERT' };
  const bad = (list as string[]).filter((e) => !EVENT_TYPES.includes(e.toUpperCase() as EventType));
  if (bad.length) return { code: 'BAD_REQUEST', message: `unknown event type ${bad.map((e) => JSON.stringify(e.slice(0, 16))).join(', ')}; known: ${EVENT_TYPES.join(', ')}` };
  if (list.length === 0) return { code: 'BAD_REQUEST', message: 'events must name at least one of BOOK, TRADE, ALERT (omit it for all)' };
  const want = new Set((list as string[]).map((e) => e.toUpperCase()));
  return EVENT_TYPES.filter((e) => want.has(e));
}
