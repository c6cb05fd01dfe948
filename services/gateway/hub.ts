/**
 * The fan-out: consensus books, their delta streams (BookGroup per symbol+depth+detail), the
 * connections and what each subscribed to. A change is diffed and framed once per group and the
 * same bytes go to every subscriber that keeps up; one that falls behind stops receiving deltas
 * (conflation) and gets a fresh SNAPSHOT once its socket drains, or is closed as a slow consumer.
 */
import { nowUs, type AlertMessage, type ConsensusTradeMessage } from '../../libs/core/index.js';
import { CloseCode, errorMessage, textFrame, type OverflowReason } from '../../libs/ws/index.js';
import type { ErrorCodeName } from '../../libs/client/index.js';
import { BookGroup } from './book-group.js';
import type { ClientConn, Subscription } from './client-conn.js';
import type { GatewayConfig } from './config.js';
import type { GatewayMetrics } from './metrics.js';
import { SymbolFeed } from './symbol-feed.js';
import type { HeldBook } from './held-book.js';
import { VenueSubsets, venueSetKey, type VenueSubset } from './venue-subset.js';

interface GroupEntry {
  group: BookGroup;
  subs: Set<Subscription>;
  /** the venue subset this group streams (#16.1); undefined = the merger's book */
  subset: VenueSubset | undefined;
}

/** How long a closing slow consumer gets to take its close frame before the socket is destroyed. */
const TERMINATE_AFTER_MS = 1_000;

export class Hub {
  readonly feeds = new Map<string, SymbolFeed>();
  readonly conns = new Set<ClientConn>();
  private readonly groups = new Map<string, Map<string, GroupEntry>>();
  private readonly behind = new Set<ClientConn>();
  private readonly subsets = new VenueSubsets();
  /** newest entry of the alert log read so far (HANDSHAKE's last_alert_id) */
  lastAlertId = 0;

  constructor(
    private readonly cfg: GatewayConfig,
    private readonly metrics: GatewayMetrics,
    private readonly now: () => number = Date.now,
  ) {
    for (const s of cfg.symbols) {
      this.feeds.set(s, new SymbolFeed(s, cfg.upstreamBufferMax));
      this.groups.set(s, new Map());
    }
  }

  // ── subscriptions ────────────────────────────────────────────────────────────────────────────

  /** `venues`: the venue set of the book (null = every venue); defaults to the connection's. */
  subscribe(conn: ClientConn, symbols: string[], depth: number, venues: string[] | null = conn.req.venues): void {
    for (const symbol of symbols) {
      const feed = this.feeds.get(symbol)!;
      const eff = Math.min(depth, feed.held.depth > 0 ? feed.held.depth : depth);
      const old = conn.subs.get(symbol);
      if (old && old.group.depth === eff && venueSetKey(old.venues) === venueSetKey(venues)) {
        this.resync(conn, symbol);
        continue;
      }
      if (old) this.detach(old);
      const entry = this.groupFor(symbol, eff, conn.req.detail, venues);
      const sub: Subscription = { conn, symbol, feed, group: entry.group, venues, subset: entry.subset, needsSnapshot: true, sentVersion: -1 };
      entry.subs.add(sub);
      conn.subs.set(symbol, sub);
      this.trySnapshot(sub);
    }
  }

  unsubscribe(conn: ClientConn, symbols: string[]): string[] {
    const removed: string[] = [];
    for (const s of symbols) {
      const sub = conn.subs.get(s);
      if (!sub) continue;
      this.detach(sub);
      conn.subs.delete(s);
      removed.push(s);
    }
    return removed;
  }

  /** The client asked for a fresh SNAPSHOT (or needs one): withhold deltas until it goes out. */
  resync(conn: ClientConn, symbol: string): void {
    const sub = conn.subs.get(symbol);
    if (!sub) return;
    sub.needsSnapshot = true;
    sub.sentVersion = -1;
    this.trySnapshot(sub);
  }

  add(conn: ClientConn): void {
    this.conns.add(conn);
  }

  remove(conn: ClientConn): void {
    if (!this.conns.delete(conn)) return;
    for (const sub of conn.subs.values()) this.detach(sub);
    conn.subs.clear();
    this.behind.delete(conn);
    conn.queue.close();
    if (conn.snapshotTimer) clearInterval(conn.snapshotTimer);
  }

  private groupFor(symbol: string, depth: number, detail: boolean, venues: string[] | null): GroupEntry {
    const bySymbol = this.groups.get(symbol)!;
    const key = `${BookGroup.key(symbol, depth, detail)}|${venueSetKey(venues)}`;
    let e = bySymbol.get(key);
    if (!e) {
      const group = new BookGroup(symbol, depth, detail);
      const full = this.feeds.get(symbol)!.held;
      const subset = venues === null ? undefined : this.subsets.acquire(symbol, venues, full, this.now());
      if (full.synced) group.reset(subset?.held ?? full);
      bySymbol.set(key, (e = { group, subs: new Set(), subset }));
    }
    return e;
  }

  private detach(sub: Subscription): void {
    const bySymbol = this.groups.get(sub.symbol)!;
    const key = `${BookGroup.key(sub.symbol, sub.group.depth, sub.group.detail)}|${venueSetKey(sub.venues)}`;
    const e = bySymbol.get(key);
    if (!e) return;
    e.subs.delete(sub);
    if (e.subs.size > 0) return;
    bySymbol.delete(key);
    if (e.subset) this.subsets.release(e.subset);
  }

  /** The book a subscription streams, when it is known to be right. */
  private bookOf(sub: Subscription): HeldBook | undefined {
    const full = sub.feed.held;
    if (!full.synced) return undefined;
    return sub.subset?.held ?? full;
  }

  // ── upstream events ──────────────────────────────────────────────────────────────────────────

  /** The held book of `symbol` changed and is synced: publish to every group. */
  onBookChanged(symbol: string): void {
    const feed = this.feeds.get(symbol)!;
    const changes = feed.held.takeChanges();
    const now = this.now();
    const us = nowUs();
    const derived = this.subsets.advance(symbol, feed.held, changes, now);
    for (const e of this.groups.get(symbol)!.values()) {
      const u = e.subset ? e.group.update(e.subset.held, derived.get(e.subset)!, now, us) : e.group.update(feed.held, changes, now, us);
      if (u.kind === 'resnapshot') {
        for (const sub of e.subs) this.resync(sub.conn, symbol);
      } else if (u.kind === 'delta') {
        let frame: Buffer | undefined;
        for (const sub of e.subs) {
          if (sub.conn.req.mode !== 'stream' || !sub.conn.events.has('BOOK')) continue;
          frame ??= textFrame(JSON.stringify({ type: 'BOOK', payload: u.payload }));
          this.deliverDelta(sub, frame);
        }
      }
    }
    if (feed.held.mergeUs > 0) this.metrics.fanoutLatency.observe(Math.max(0, nowUs() - feed.held.mergeUs) / 1e6);
  }

  onTrade(symbol: string, t: ConsensusTradeMessage): void {
    this.broadcast(symbol, 'TRADE', t, true);
  }

  onAlert(symbol: string, a: AlertMessage): void {
    this.broadcast(symbol, 'ALERT', a, false);
  }

  private broadcast(symbol: string, type: 'TRADE' | 'ALERT', payload: unknown, toSimple: boolean): void {
    let frame: Buffer | undefined;
    for (const e of this.groups.get(symbol)!.values()) {
      for (const sub of e.subs) {
        if ((sub.conn.req.simple && !toSimple) || !sub.conn.events.has(type)) continue;
        frame ??= textFrame(JSON.stringify({ type, payload }));
        this.push(sub.conn, frame, type);
      }
    }
  }

  // ── delivery and conflation ──────────────────────────────────────────────────────────────────

  private deliverDelta(sub: Subscription, frame: Buffer): void {
    if (sub.needsSnapshot) {
      this.metrics.droppedFrames.inc({ type: 'BOOK' });
      return;
    }
    if (sub.conn.lagging) {
      this.conflate(sub);
      this.metrics.droppedFrames.inc({ type: 'BOOK' });
      return;
    }
    this.push(sub.conn, frame, 'BOOK');
  }

  /**
   * Hand a frame to the connection; false when the connection is behind and it was dropped.
   * Written when the current task ends, not on the next turn: what one NATS read delivered (a
   * venue step's BTC and ETH books, a trade) leaves in one write per connection, and the first
   * frame waits only for the rest of that read, never for the poll phase. At ×10 load this halved
   * the gateway's CPU (10 syscalls per book became 10 per read); at realistic load a read mostly
   * holds one book and nothing changes. Past the socket's high-water mark frames wait for 'drain'.
   */
  push(conn: ClientConn, frame: Buffer, type: string): boolean {
    if (conn.closing) return false;
    if (!conn.queue.sendAtTaskEnd(frame)) {
      this.metrics.droppedFrames.inc({ type });
      return false;
    }
    this.metrics.messagesOut.inc({ type });
    return true;
  }

  private conflate(sub: Subscription): void {
    if (!sub.needsSnapshot) this.metrics.conflations.inc({ symbol: sub.symbol });
    sub.needsSnapshot = true;
    this.markBehind(sub.conn);
  }

  private markBehind(conn: ClientConn): void {
    if (conn.behindSince === 0) conn.behindSince = this.now();
    this.behind.add(conn);
  }

  /** WriteQueue cap reached: drop everything pending for this client; snapshots follow the drain. */
  onOverflow(conn: ClientConn, _reason: OverflowReason): void {
    conn.queue.clear();
    for (const sub of conn.subs.values()) this.conflate(sub);
    this.markBehind(conn);
  }

  private trySnapshot(sub: Subscription): void {
    const held = this.bookOf(sub);
    if (!held || sub.group.epoch !== held.epoch || sub.conn.closing || !sub.conn.events.has('BOOK')) return;
    if (sub.conn.lagging) {
      this.conflate(sub);
      return;
    }
    const frame = sub.group.snapshotFrame(held, this.now(), this.cfg.venueStaleAfterMs);
    if (this.push(sub.conn, frame, 'SNAPSHOT')) {
      sub.needsSnapshot = false;
      sub.sentVersion = sub.group.version;
    }
  }

  /** Snapshot mode: the full top N, if it changed since this connection last got it. */
  snapshotTick(conn: ClientConn): void {
    for (const sub of conn.subs.values()) {
      const held = this.bookOf(sub);
      if (!held || sub.group.epoch !== held.epoch || sub.group.version === sub.sentVersion) continue;
      this.trySnapshot(sub);
    }
  }

  /**
   * Run often (and on socket drain): connections that were behind and have drained get their
   * SNAPSHOTs; ones blocked past GATEWAY_SLOW_CLOSE_MS are closed with SLOW_CONSUMER.
   */
  sweep(): void {
    const now = this.now();
    for (const conn of this.behind) {
      if (!conn.lagging && conn.queue.idle) {
        conn.behindSince = 0;
        this.behind.delete(conn);
        for (const sub of conn.subs.values()) if (sub.needsSnapshot) this.trySnapshot(sub);
      } else if (now - conn.behindSince > this.cfg.slowCloseMs) {
        this.metrics.slowCloses.inc({ reason: conn.socket.writableLength >= this.cfg.socketHighWaterBytes ? 'socket_blocked' : 'queue_full' });
        this.closeWith(conn, 'SLOW_CONSUMER', `not reading for ${now - conn.behindSince} ms`, CloseCode.SLOW_CONSUMER);
      }
    }
  }

  // ── heartbeats ───────────────────────────────────────────────────────────────────────────────

  /** Send PING to every connection (one frame for all); count the PONGs that did not come. */
  heartbeat(): void {
    const now = this.now();
    const frame = textFrame(JSON.stringify({ type: 'PING', payload: { ts: now } }));
    for (const conn of this.conns) {
      if (conn.pingSentAt !== 0) continue; // checkPongs decides about the outstanding one
      conn.pingSentAt = now;
      if (conn.req.simple) conn.ws.ping();
      else this.push(conn, frame, 'PING');
    }
  }

  checkPongs(): void {
    const now = this.now();
    for (const conn of this.conns) {
      if (conn.pingSentAt === 0 || now - conn.pingSentAt <= this.cfg.pongTimeoutMs) continue;
      conn.pingSentAt = 0;
      conn.missedPongs++;
      if (conn.missedPongs >= this.cfg.maxMissedPongs) {
        this.closeWith(conn, 'HEARTBEAT_TIMEOUT', `${conn.missedPongs} PONGs missed`, CloseCode.HEARTBEAT_TIMEOUT);
      }
    }
  }

  onPong(conn: ClientConn): void {
    conn.pingSentAt = 0;
    conn.missedPongs = 0;
  }

  // ── errors and closes ────────────────────────────────────────────────────────────────────────

  sendError(conn: ClientConn, code: ErrorCodeName, message: string): void {
    this.metrics.clientErrors.inc({ code });
    this.push(conn, errorFrame(code, message), 'ERROR');
  }

  /**
   * ERROR then close. The ERROR goes straight to the socket, so it is the last data frame before
   * the close frame. A connection that keeps up first gets what this task gave it (the ERRORs for
   * the earlier messages of the same read); one that is behind has its backlog dropped.
   */
  closeWith(conn: ClientConn, code: ErrorCodeName, message: string, closeCode: number): void {
    if (conn.closing) return;
    conn.closing = true;
    if (!this.behind.has(conn)) conn.queue.flush();
    this.metrics.clientErrors.inc({ code });
    this.metrics.closes.inc({ reason: code });
    writeErrorAndClose(conn.ws, conn.socket, code, message, closeCode);
    conn.queue.close();
    this.remove(conn);
  }

  queueStats() {
    let frames = 0;
    let bytes = 0;
    let maxFrames = 0;
    let maxBytes = 0;
    for (const c of this.conns) {
      frames += c.queue.depth;
      bytes += c.heldBytes;
      maxFrames = Math.max(maxFrames, c.queue.depth);
      maxBytes = Math.max(maxBytes, c.heldBytes);
    }
    return { connections: this.conns.size, frames, bytes, maxFrames, maxBytes };
  }
}

export function errorFrame(code: ErrorCodeName, message: string): Buffer {
  return textFrame(errorMessage(code, message));
}

/** For refusals before a ClientConn exists, and for closes of existing ones. */
export function writeErrorAndClose(
  ws: { close(code: number, reason: string): void; terminate(): void; readyState: number },
  socket: { write(b: Buffer): boolean; destroyed: boolean },
  code: ErrorCodeName,
  message: string,
  closeCode: number,
): void {
  if (!socket.destroyed) socket.write(errorFrame(code, message));
  ws.close(closeCode, code);
  const t = setTimeout(() => {
    if (ws.readyState !== 3 /* CLOSED */) ws.terminate();
  }, TERMINATE_AFTER_MS);
  t.unref();
}
