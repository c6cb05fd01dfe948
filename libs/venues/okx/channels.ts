/**
 * OKX order-book channels (venues.md §4 table). `incremental` channels send a snapshot (legacy) or
 * start with updates (2026 REST bootstrap) and then diffs chained by seqId/prevSeqId; the others
 * replace the book wholesale on every push.
 * https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel
 */
export interface OkxBookChannel {
  name: string;
  /** levels per side the venue keeps (and the book is truncated to) */
  depth: number;
  incremental: boolean;
  /** needs login + VIP tier (error 64003 otherwise) */
  gated: boolean;
}

export const OKX_BOOK_CHANNELS: Readonly<Record<string, OkxBookChannel>> = {
  books: { name: 'books', depth: 400, incremental: true, gated: false },
  books5: { name: 'books5', depth: 5, incremental: false, gated: false },
  'bbo-tbt': { name: 'bbo-tbt', depth: 1, incremental: false, gated: false },
  'books50-l2-tbt': { name: 'books50-l2-tbt', depth: 50, incremental: true, gated: true },
  'books-l2-tbt': { name: 'books-l2-tbt', depth: 400, incremental: true, gated: true },
};

/** Collectors without VIP4 use `books`. */
export const OKX_DEFAULT_BOOK_CHANNEL = 'books';

/** Channels whose frames carry nothing we publish. */
export const OKX_IGNORED_CHANNELS: ReadonlySet<string> = new Set([
  'tickers',
  'index-tickers',
  'mark-price',
  'open-interest',
  'funding-rate',
  'price-limit',
  'estimated-price',
  'opt-summary',
  'instruments',
  'books-elp',
  'status',
]);

export function okxBookChannel(name: string): OkxBookChannel | undefined {
  return OKX_BOOK_CHANNELS[name];
}
