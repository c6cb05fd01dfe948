/**
 * Consensus groups: which venue books fuse into which consensus symbol, at which tick and depth.
 * Grouping is configuration, never inference (venues.md §8.1), so everything here is parsed from
 * a compact env string or a JSON document and validated whole.
 */
import { BookfuseError, fractionDigits, parseScaled } from '../core/index.js';

export interface GroupMember {
  venue: string;
  /** canonical venue instrument symbol, the NATS token (BTC-USDT, hyperliquid BTC-USDC) */
  symbol: string;
}

export interface ConsensusGroup {
  /** consensus symbol, e.g. BTC-USD */
  symbol: string;
  /** consensus price tick as a decimal string: bids round down to it, asks round up */
  tick: string;
  /** levels per side published */
  depth: number;
  members: GroupMember[];
}

export const DEFAULT_DEPTH = 50;

/**
 * What grouping needs to know of a venue. Each venue module declares it (libs/venues:
 * `consensusVenues()`); the caller passes it in, so the rules here name no venue.
 */
export interface GroupVenue {
  id: string;
  /** the USD-like quote a bare venue id stands for: BTC → BTC-<usdQuote> */
  usdQuote: string;
  /** a member of the default groups */
  defaultMember: boolean;
}

/** The default consensus symbols and their ticks (also the tick of a spec that omits one). */
const DEFAULT_TICKS: Readonly<Record<string, string>> = { 'BTC-USD': '0.1', 'ETH-USD': '0.01' };

/** BTC-USD and ETH-USD over every venue that declares itself a default member, in the given order. */
export function defaultGroups(venues: readonly GroupVenue[]): ConsensusGroup[] {
  return Object.entries(DEFAULT_TICKS).map(([symbol, tick]) => {
    const base = symbol.split('-')[0]!;
    const members = venues.filter((v) => v.defaultMember).map((v) => ({ venue: v.id, symbol: `${base}-${v.usdQuote}` }));
    return { symbol, tick, depth: DEFAULT_DEPTH, members };
  });
}

const SYMBOL = /^[A-Z0-9]+-[A-Z0-9]+$/;
const VENUE = /^[a-z0-9][a-z0-9-]*$/;

/**
 * Compact syntax (CONSENSUS_GROUPS):
 *   `CSYM[@tick[/depth]]=member,member;CSYM…`
 * where a member is `venue:SYMBOL`, or a bare `venue` meaning BASE-<its usdQuote> (BASE-USDT on
 * most venues, BASE-USDC on Hyperliquid); a bare venue not in `venues` is an error.
 * Example: `BTC-USD@0.1/50=binance-usdm,okx-swap:BTC-USDT,hyperliquid;SOL-USD@0.001=bybit-linear`.
 * A missing tick falls back to the default table (BTC 0.1, ETH 0.01), else it is an error.
 */
export function parseGroupsSpec(spec: string, venues: readonly GroupVenue[]): ConsensusGroup[] {
  const groups: ConsensusGroup[] = [];
  const quotes = new Map(venues.map((v) => [v.id, v.usdQuote]));
  for (const part of spec.split(';').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq < 0) throw bad(`group "${part}" needs "=" before its members`);
    const head = part.slice(0, eq).trim();
    const [symbol = '', tickDepth] = head.split('@');
    const [tickRaw, depthRaw] = tickDepth === undefined ? [undefined, undefined] : tickDepth.split('/');
    const base = symbol.split('-')[0] ?? '';
    const members = part
      .slice(eq + 1)
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean)
      .map((m): GroupMember => {
        const [venue = '', sym] = m.split(':');
        if (sym !== undefined) return { venue, symbol: sym };
        const quote = quotes.get(venue);
        if (quote === undefined) throw bad(`unknown venue ${JSON.stringify(venue)}: name its symbol (${venue}:${base}-USDT)`);
        return { venue, symbol: `${base}-${quote}` };
      });
    const tick = tickRaw ?? DEFAULT_TICKS[symbol];
    if (tick === undefined) throw bad(`group ${symbol} needs a tick (${symbol}@0.01=…)`);
    groups.push({ symbol, tick, depth: depthRaw === undefined ? DEFAULT_DEPTH : Number(depthRaw), members });
  }
  return validateGroups(groups);
}

/** JSON form (CONSENSUS_CONFIG_FILE): `{"groups":[{"symbol","tick","depth"?,"members":[{"venue","symbol"}]}]}`. */
export function groupsFromJson(doc: unknown): ConsensusGroup[] {
  const groups = (doc as { groups?: unknown } | null)?.groups;
  if (!Array.isArray(groups)) throw bad('config file needs a "groups" array');
  return validateGroups(
    groups.map((g: Record<string, unknown>) => ({
      symbol: String(g['symbol'] ?? ''),
      tick: String(g['tick'] ?? ''),
      depth: g['depth'] === undefined ? DEFAULT_DEPTH : Number(g['depth']),
      members: Array.isArray(g['members'])
        ? g['members'].map((m: Record<string, unknown>) => ({ venue: String(m['venue'] ?? ''), symbol: String(m['symbol'] ?? '') }))
        : [],
    })),
  );
}

/** Every problem at once; a venue appears at most once per group (per-venue sizes are keyed by venue). */
export function validateGroups(groups: ConsensusGroup[]): ConsensusGroup[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const g of groups) {
    if (!SYMBOL.test(g.symbol)) problems.push(`bad consensus symbol ${JSON.stringify(g.symbol)}`);
    if (seen.has(g.symbol)) problems.push(`consensus symbol ${g.symbol} defined twice`);
    seen.add(g.symbol);
    if (!isPositiveDecimal(g.tick)) problems.push(`${g.symbol}: tick ${JSON.stringify(g.tick)} is not a positive decimal`);
    if (!Number.isInteger(g.depth) || g.depth < 1 || g.depth > 1000) problems.push(`${g.symbol}: depth must be 1..1000`);
    if (g.members.length === 0) problems.push(`${g.symbol}: no members`);
    const venues = new Set<string>();
    for (const m of g.members) {
      if (!VENUE.test(m.venue)) problems.push(`${g.symbol}: bad venue ${JSON.stringify(m.venue)}`);
      if (!SYMBOL.test(m.symbol)) problems.push(`${g.symbol}: bad member symbol ${JSON.stringify(m.symbol)}`);
      if (venues.has(m.venue)) problems.push(`${g.symbol}: venue ${m.venue} listed twice`);
      venues.add(m.venue);
    }
  }
  if (problems.length) throw bad(problems.join('; '));
  return groups;
}

function isPositiveDecimal(s: string): boolean {
  try {
    return parseScaled(s, fractionDigits(s)) > 0;
  } catch {
    return false;
  }
}

function bad(m: string): BookfuseError {
  return new BookfuseError('BAD_CONFIG', m);
}

/** Quotes treated as USD inside a configured group (venues.md §8.3). */
export function isUsdLike(quote: string): boolean {
  return quote === 'USD' || quote === 'USDT' || quote === 'USDC';
}
