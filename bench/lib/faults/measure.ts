/**
 * One fault, measured from the clients' side: book followers on the gateways and firehose
 * readers, against the simulator's truth. Figures per fault (issue 13 item 9):
 * - recovered_ms: from the fault's start until every client is live again: the end of the last
 *   stall (no consensus update for STALL_MIN_MS or more) a follower saw, or a reader's reconnect;
 *   0 when no client noticed; null when not live within the recovery timeout;
 * - stall_ms: the longest time any followed book went without a consensus update that changed
 *   its levels (the merger's once-a-second restatement of venue views does not count);
 * - liq_lost / liq_dup: liquidations the simulator sent in the fault's window that no reader
 *   got / that a reader got more than once (the worst reader);
 * - seq_breaks_unhealed: followed books still waiting for a SNAPSHOT after a seq break at the end;
 * - books_exact: with the venues held still, every followed book equals the simulator's truth.
 */
import { BookFollower } from './book-follower.js';
import { FirehoseReader } from './firehose-reader.js';
import { compareLiquidations, fetchSentLiquidations } from './liquidations.js';
import type { Fault } from './faults.js';
import type { Topology } from './topology.js';

export interface FaultFigures {
  fault: string;
  recovered_ms: number | null;
  stall_ms: number;
  liq_lost: number;
  liq_dup: number;
  seq_breaks_unhealed: number;
  books_exact: boolean;
}

export interface FaultReport extends FaultFigures {
  /** processes that died without being killed by the fault */
  crashed: string[];
  liq_sent: number;
  liq_phantom: number;
  lost_ids: string[];
  seq_breaks: number;
  /** STALE alerts the most alerted follower received during the fault */
  stale_alerts: number;
  /** the liquidation window judged: [since, until] in venue time */
  window: { since: number; until: number };
}

/** A consensus symbol whose book must equal one venue's truth (a group of one member). */
export interface BookTruth {
  symbol: string;
  venue: string;
  /** the canonical symbol on that venue, e.g. BTC-USDT */
  venueSymbol: string;
}

export interface FaultClients {
  followers: BookFollower[];
  readers: FirehoseReader[];
  stop(): void;
}

export interface ClientOptions {
  followers: number;
  readers: number;
  symbols: string[];
  depth: number;
  token: string;
}

/** Followers spread over the gateways, readers over the firehoses (each tries the others on reconnect). */
export async function startClients(t: Topology, o: ClientOptions): Promise<FaultClients> {
  const gws = t.of('gateway').map((g) => `${g.url.replace(/^http/, 'ws')}/ws`);
  const fhs = t.of('firehose').map((f) => f.url);
  const rotate = (list: string[], i: number) => [...list.slice(i % list.length), ...list.slice(0, i % list.length)];
  const followers = Array.from({ length: o.followers }, (_, i) => new BookFollower({ urls: rotate(gws, i), token: o.token, symbols: o.symbols, depth: o.depth, reconnectMs: 100 }));
  for (const f of followers) f.start();
  const readers = Array.from({ length: o.readers }, (_, i) => new FirehoseReader({ urls: rotate(fhs, i), token: o.token, after: 0, reconnectMs: 100 }));
  await Promise.all(readers.map((r) => r.start()));
  return {
    followers,
    readers,
    stop: () => {
      for (const f of followers) f.stop();
      for (const r of readers) r.stop();
    },
  };
}

export interface MeasureOptions {
  books: BookTruth[];
  depth: number;
  /** a gap of consensus updates at least this long is a stall (default 750) */
  stallMinMs?: number;
  /** give up waiting for live clients after this long (default 30 s) */
  recoverTimeoutMs?: number;
  /** time after recovery before the end of the window (default 1500) */
  settleMs?: number;
  /** liquidations judged from here (venue time); default: the fault's start */
  since?: number;
  /** bybit-linear pushes liquidations in 500 ms batches: the window ends this long before the end (default 1000) */
  liqLagMs?: number;
  /** wait at most this long for readers to catch up on liquidations (default 15 s) */
  liqTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** every follower synced with fresh updates, every reader connected */
export function clientsLive(c: FaultClients, now: number, freshMs = 1000): boolean {
  return c.followers.every((f) => f.synced && [...f.books.values()].every((b) => now - b.lastUpdateAt < freshMs)) && c.readers.every((r) => r.connected);
}

export async function waitLive(c: FaultClients, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (clientsLive(c, Date.now())) return true;
    await sleep(50);
  }
  return false;
}

export async function measureFault(t: Topology, c: FaultClients, fault: Fault, o: MeasureOptions): Promise<FaultReport> {
  const stallMin = o.stallMinMs ?? 750;
  const t0 = Date.now();
  const breaksBefore = sum(c.followers.flatMap((f) => [...f.books.values()].map((b) => b.breaks)));
  await fault.inject(t);
  const live = await waitLive(c, o.recoverTimeoutMs ?? 30_000);
  await sleep(o.settleMs ?? 1500);
  const tEnd = Date.now();

  let recoveredAt = t0;
  let stall = 0;
  for (const f of c.followers) {
    for (const b of f.books.values()) {
      let prev = lastBefore(b.updates, t0) ?? t0;
      for (const u of b.updates) {
        if (u <= t0 || u > tEnd) continue;
        const gap = u - prev;
        stall = Math.max(stall, gap);
        if (gap >= stallMin) recoveredAt = Math.max(recoveredAt, u);
        prev = u;
      }
      stall = Math.max(stall, tEnd - prev);
    }
  }
  for (const r of c.readers) {
    const reopen = r.opens.filter((x) => x > t0 && x <= tEnd);
    if (reopen.length) recoveredAt = Math.max(recoveredAt, reopen[reopen.length - 1]!);
  }
  const unhealed = c.followers.reduce((n, f) => n + [...f.books.values()].filter((b) => b.pending).length, 0);
  const seqBreaks = sum(c.followers.flatMap((f) => [...f.books.values()].map((b) => b.breaks))) - breaksBefore;
  const crashed = t.deadUnexpectedly().map((s) => s.name);
  const staleAlerts = Math.max(0, ...c.followers.map((f) => f.alerts.filter((a) => a.kind === 'STALE' && a.at > t0 && a.at <= tEnd).length));

  const window = { since: o.since ?? t0, until: tEnd - (o.liqLagMs ?? 1000) };
  const liq = await judgeLiquidations(t, c, window, o.liqTimeoutMs ?? 15_000);
  const booksExact = await checkBooksExact(t, c, o.books, o.depth);
  return {
    fault: fault.name,
    recovered_ms: live ? recoveredAt - t0 : null,
    stall_ms: stall,
    liq_lost: liq.lost,
    liq_dup: liq.dup,
    seq_breaks_unhealed: unhealed,
    books_exact: booksExact,
    crashed,
    liq_sent: liq.sent,
    liq_phantom: liq.phantom,
    lost_ids: liq.lostIds,
    seq_breaks: seqBreaks,
    stale_alerts: staleAlerts,
    window,
  };
}

/** The worst reader's verdict, once every reader has caught up (or the timeout passed). */
export async function judgeLiquidations(t: Topology, c: FaultClients, window: { since: number; until: number }, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sent = await fetchSentLiquidations(t.simUrl, { since: window.since });
    const verdicts = c.readers.map((r) => compareLiquidations(sent, r.received, window));
    const worst = verdicts.reduce((a, v) => (v.lost + v.dup + v.phantom > a.lost + a.dup + a.phantom ? v : a), verdicts[0] ?? { lost: 0, dup: 0, phantom: 0, sent: 0, lostIds: [] });
    if (worst.lost === 0 || Date.now() > deadline) return worst;
    await sleep(250);
  }
}

/**
 * Hold every venue still (simulator `silence`), let the pipeline drain, and compare each followed
 * book with the venue's truth; the venues resume afterwards. A mismatch is checked once more
 * after a short wait, as a last delta may still be on its way.
 */
export async function checkBooksExact(t: Topology, c: FaultClients, books: BookTruth[], depth: number): Promise<boolean> {
  const control = (venue: string, body: Record<string, unknown>) => fetch(`${t.simUrl}/control`, { method: 'POST', body: JSON.stringify({ venue, ...body }) });
  const venues = [...new Set(t.spec.venues)];
  await Promise.all(venues.map((v) => control(v, { action: 'silence', ms: 4000 })));
  try {
    for (let attempt = 0; attempt < 4; attempt++) {
      await sleep(attempt === 0 ? 600 : 400);
      let exact = true;
      for (const bt of books) {
        const r = await fetch(`${t.simUrl}/truth/${bt.venue}/${bt.venueSymbol}?depth=${depth}`);
        const truth = (await r.json()) as { bids: string[][]; asks: string[][] };
        for (const f of c.followers) {
          const b = f.books.get(bt.symbol);
          if (!b || b.pending || JSON.stringify(b.top(depth)) !== JSON.stringify({ bids: truth.bids, asks: truth.asks })) exact = false;
        }
      }
      if (exact) return true;
    }
    return false;
  } finally {
    await Promise.all(venues.map((v) => control(v, { action: 'resume' })));
  }
}

function lastBefore(sorted: number[], t: number): number | undefined {
  let out: number | undefined;
  for (const x of sorted) {
    if (x > t) break;
    out = x;
  }
  return out;
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
