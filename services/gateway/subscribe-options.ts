/**
 * SUBSCRIBE's `venues` and `events` (#16.1, #16.3): `venues` sets the venue set of the symbols in
 * this SUBSCRIBE (omitted = the connection's from the URL, null = every venue); `events` replaces
 * the connection's event filter (omitted = unchanged). Applied only when both are valid.
 */
import type { EventType } from '../../libs/client/index.js';
import type { ClientConn } from './client-conn.js';
import { isRefusal, type Refusal } from './client-protocol.js';
import { parseEvents } from './event-filter.js';
import { parseVenueSet } from './venue-subset.js';

export function subscribeOptions(
  conn: ClientConn,
  payload: { venues?: string[] | null; events?: EventType[] },
  knownVenues: readonly string[],
): { venues: string[] | null; bookResumed: boolean } | Refusal {
  const venues = 'venues' in payload ? parseVenueSet(payload.venues, knownVenues) : conn.req.venues;
  if (isRefusal(venues)) return venues;
  let bookResumed = false;
  if (payload.events !== undefined) {
    const events = parseEvents(payload.events);
    if (isRefusal(events)) return events;
    // books it stopped taking are stale by now: they restart with a SNAPSHOT
    bookResumed = !conn.events.has('BOOK') && events.includes('BOOK');
    conn.events = new Set(events);
  }
  return { venues, bookResumed };
}
