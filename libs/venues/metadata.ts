/**
 * Fetch every metadata page a venue needs (following its pagination) through the venue's REST
 * budget, then turn the bodies into instruments. Shared by the collector and `bookfuse record`.
 */
import type { RestRequest, VenueAdapter } from './adapter.js';

/** Pages are capped so a venue that never says "last page" cannot loop us for ever. */
const MAX_METADATA_PAGES = 50;

export async function fetchMetadataBodies(adapter: VenueAdapter<unknown>, request: (r: RestRequest) => Promise<unknown>, onBody?: (body: unknown, r: RestRequest) => void): Promise<unknown[]> {
  const bodies: unknown[] = [];
  for (const first of adapter.metadataRequests()) {
    let next: RestRequest | null = first;
    for (let page = 0; next && page < MAX_METADATA_PAGES; page++) {
      const body = await request(next);
      onBody?.(body, next);
      bodies.push(body);
      next = adapter.nextMetadataRequest?.(body) ?? null;
    }
  }
  return bodies;
}
