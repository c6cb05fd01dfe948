// The page's one subscription: a BookfuseClient for one symbol with per-venue detail, and the
// venue set the checkboxes choose. Changing the set re-subscribes; listeners survive the change.
import { BookfuseClient } from '/client/index.js';

export class Subscription {
  constructor({ token, symbol, depth }) {
    this.token = token;
    this.symbol = symbol;
    this.depth = depth;
    /** null = every venue (the server's default); otherwise the venues asked for */
    this.venues = null;
    this.listeners = [];
    this.client = undefined;
  }

  on(event, fn) {
    this.listeners.push([event, fn]);
    this.client?.on(event, fn);
  }

  get book() {
    return this.client?.books.get(this.symbol);
  }

  /** The venue set the server echoed in HANDSHAKE (null until it does, or when it sends none). */
  get echoed() {
    const v = this.client?.handshake?.venues;
    return Array.isArray(v) ? v : null;
  }

  start() {
    const venues = this.venues;
    const url = location.origin.replace(/^http/, 'ws');
    const withVenues = (u) => (venues ? `${u}&venues=${encodeURIComponent(venues.join(','))}` : u);
    this.client = new BookfuseClient({
      url,
      apiKey: this.token,
      symbols: [this.symbol],
      depth: this.depth,
      detail: 'venues',
      webSocket: (u) => new WebSocket(withVenues(u)),
    });
    for (const [event, fn] of this.listeners) this.client.on(event, fn);
    this.client.start();
  }

  /** A new venue set (null = all): a fresh connection whose book is the consensus of just those. */
  setVenues(venues) {
    this.venues = venues;
    this.client?.stop();
    this.start();
  }
}
