// The page's one subscription: a BookfuseClient for one symbol with per-venue detail, merging the
// venues the checkboxes choose. A new set goes out as SUBSCRIBE with `venues` on the open
// connection; the client withholds the book until the SNAPSHOT of the new set arrives.
import { BookfuseClient } from '/client/index.js';

export class Subscription {
  /** @param venues the venues to merge, or null for every venue (the server's default) */
  constructor({ token, symbol, depth, venues }) {
    this.symbol = symbol;
    this.set = venues;
    this.client = new BookfuseClient({
      url: location.origin.replace(/^http/, 'ws'),
      apiKey: token,
      symbols: [symbol],
      depth,
      detail: 'venues',
      ...(venues ? { venues } : {}),
    });
  }

  on(event, fn) {
    this.client.on(event, fn);
  }

  start() {
    this.client.start();
  }

  /** null = every venue */
  get venues() {
    return this.set;
  }

  /** The book of the current venue set, once its SNAPSHOT arrived (undefined or unsynced before). */
  get book() {
    return this.client.books.get(this.symbol);
  }

  setVenues(venues) {
    this.set = venues;
    this.client.setVenues(venues);
  }
}
