/**
 * The only place subject strings are built (design.md "NATS subjects (v1)").
 * Tokens are validated so a symbol can never inject a wildcard or an extra level.
 */
import { BookfuseError } from '../core/index.js';

const PREFIX = 'bookfuse.v1';
const TOKEN = /^[A-Za-z0-9_-]+$/;

function token(t: string): string {
  if (!TOKEN.test(t)) throw new BookfuseError('BAD_MESSAGE', `not a valid subject token: ${JSON.stringify(t)}`);
  return t;
}

export const subjects = {
  book: (venue: string, symbol: string) => `${PREFIX}.book.${token(venue)}.${token(symbol)}`,
  trade: (venue: string, symbol: string) => `${PREFIX}.trade.${token(venue)}.${token(symbol)}`,
  liq: (venue: string, symbol: string) => `${PREFIX}.liq.${token(venue)}.${token(symbol)}`,
  status: (venue: string) => `${PREFIX}.status.${token(venue)}`,
  snapshot: (venue: string, symbol: string) => `${PREFIX}.snapshot.${token(venue)}.${token(symbol)}`,
  consensusBook: (csym: string) => `${PREFIX}.consensus.book.${token(csym)}`,
  consensusTrade: (csym: string) => `${PREFIX}.consensus.trade.${token(csym)}`,
  consensusAlert: (csym: string) => `${PREFIX}.consensus.alert.${token(csym)}`,
  consensusLiq: () => `${PREFIX}.consensus.liq`,
  consensusSnapshot: (csym: string) => `${PREFIX}.consensus.snapshot.${token(csym)}`,
  /** window open prices (#16.5): `<ASSET>` a consensus base, `<type>` an interval like 5m */
  consensusWindow: (asset: string, type: string) => `${PREFIX}.consensus.window.${token(asset)}.${token(type)}`,

  /** wildcards for subscribers */
  all: () => `${PREFIX}.>`,
  allBooks: () => `${PREFIX}.book.>`,
  venueBooks: (venue: string) => `${PREFIX}.book.${token(venue)}.*`,
  venueTrades: (venue: string) => `${PREFIX}.trade.${token(venue)}.*`,
  venueLiqs: (venue: string) => `${PREFIX}.liq.${token(venue)}.*`,
  /** the snapshot requests a collector answers for one venue */
  venueSnapshots: (venue: string) => `${PREFIX}.snapshot.${token(venue)}.*`,
  allTrades: () => `${PREFIX}.trade.>`,
  allLiqs: () => `${PREFIX}.liq.>`,
  allStatus: () => `${PREFIX}.status.*`,
  allConsensusBooks: () => `${PREFIX}.consensus.book.*`,
  allConsensusTrades: () => `${PREFIX}.consensus.trade.*`,
  allConsensusAlerts: () => `${PREFIX}.consensus.alert.*`,
  allConsensusWindows: () => `${PREFIX}.consensus.window.*.*`,
} as const;

/** What a concrete subject names; the inverse of the builders above. */
export type ParsedSubject =
  | { kind: 'book' | 'trade' | 'liq' | 'snapshot'; venue: string; symbol: string }
  | { kind: 'status'; venue: string }
  | { kind: 'consensus.book' | 'consensus.trade' | 'consensus.alert' | 'consensus.snapshot'; symbol: string }
  | { kind: 'consensus.liq' };

const VENUE_KINDS = new Set(['book', 'trade', 'liq', 'snapshot']);
const CONSENSUS_KINDS = new Set(['book', 'trade', 'alert', 'snapshot']);

/** Parses a bookfuse subject (never a wildcard); null for anything that is not one. */
export function parseSubject(subject: string): ParsedSubject | null {
  if (!subject.startsWith(`${PREFIX}.`)) return null;
  const t = subject.slice(PREFIX.length + 1).split('.');
  if (!t.every((x) => TOKEN.test(x))) return null;
  const [a, b, c] = t;
  if (t.length === 3 && VENUE_KINDS.has(a!)) return { kind: a as 'book', venue: b!, symbol: c! };
  if (t.length === 2 && a === 'status') return { kind: 'status', venue: b! };
  if (a === 'consensus' && t.length === 3 && CONSENSUS_KINDS.has(b!)) return { kind: `consensus.${b}` as 'consensus.book', symbol: c! };
  if (a === 'consensus' && t.length === 2 && b === 'liq') return { kind: 'consensus.liq' };
  return null;
}

/** JetStream stream that keeps the deduplicated liquidation log for replay. */
export const LIQ_STREAM = 'BOOKFUSE_LIQ';

/** JetStream stream of consensus alerts: its sequence is the ALERT `id` every gateway sends. */
export const ALERT_STREAM = 'BOOKFUSE_ALERTS';

/** JetStream stream of window open prices, the latest per (asset, interval) for late joiners. */
export const WINDOW_STREAM = 'BOOKFUSE_WINDOWS';

/** JetStream stream that keeps the collectors' liquidations (`bookfuse.v1.liq.>`) until the merger has them. */
export const VENUE_LIQ_STREAM = 'BOOKFUSE_VENUE_LIQ';

/** Durable consumer name of the merger(s) owning one slice of the liquidations (e.g. `all`, `shard-0-of-2`). */
export function mergerLiqDurable(slice: string): string {
  return `bookfuse-merger-liq-${token(slice)}`;
}


