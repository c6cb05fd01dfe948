/**
 * Alert gap recovery (#16.3): the client keeps the id of the last ALERT it delivered and, when it
 * reconnects, fetches `GET /v1/alerts?after=<id>` (paging with `next_after`) so nothing that
 * happened while it was away is lost. Live ALERTs arriving during the fetch wait and are delivered
 * after it, each alert once, in id order. The first HANDSHAKE's `last_alert_id` seeds the id, so
 * even a client that has not seen an alert yet recovers what it missed. Browser-safe (fetch).
 */
import type { AlertMessage, HandshakePayload } from './protocol.js';

export type FetchLike = (url: string, init: { headers: Record<string, string> }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export interface AlertGapInfo {
  after: number;
  recovered: number;
  /** why the fetch failed (the gap stays unfilled) */
  error?: string;
}

export interface AlertGapOptions {
  /** gateway base URL (ws:// or http://; the path is ignored), read at each fill */
  url: () => string;
  apiKey: string;
  /** the symbols whose alerts the client wants */
  symbols: () => ReadonlySet<string>;
  fetch?: FetchLike;
  deliver: (a: AlertMessage) => void;
  report: (info: AlertGapInfo) => void;
}

const PAGE = 1000;

export class AlertGap {
  /** id of the last alert delivered (or the gateway's last one at the first HANDSHAKE) */
  lastId: number | undefined;
  private filling = false;
  private held: AlertMessage[] = [];
  private connected = false;

  constructor(private readonly opts: AlertGapOptions) {}

  onHandshake(hs: HandshakePayload): void {
    const reconnect = this.connected;
    this.connected = true;
    if (this.lastId === undefined) {
      if (typeof hs.last_alert_id === 'number') this.lastId = hs.last_alert_id;
      return;
    }
    if (reconnect || (typeof hs.last_alert_id === 'number' && hs.last_alert_id > this.lastId)) void this.fill();
  }

  onAlert(a: AlertMessage): void {
    if (this.filling) this.held.push(a);
    else this.deliver(a);
  }

  private deliver(a: AlertMessage): void {
    if (typeof a.id === 'number') {
      if (this.lastId !== undefined && a.id <= this.lastId) return;
      this.lastId = a.id;
    }
    this.opts.deliver(a);
  }

  private async fill(): Promise<void> {
    if (this.filling) return;
    this.filling = true;
    const after = this.lastId!;
    let recovered = 0;
    let error: string | undefined;
    try {
      const f = this.opts.fetch ?? (globalThis as { fetch?: FetchLike }).fetch;
      if (!f) throw new Error('no fetch available');
      const base = this.opts.url().replace(/^ws/, 'http').replace(/^(https?:\/\/[^/]+).*$/, '$1');
      let cursor = after;
      for (;;) {
        const r = await f(`${base}/v1/alerts?after=${cursor}&limit=${PAGE}`, { headers: { authorization: `Bearer ${this.opts.apiKey}` } });
        const body = (await r.json()) as { alerts?: AlertMessage[]; next_after?: number; message?: string };
        if (!r.ok || !Array.isArray(body.alerts) || typeof body.next_after !== 'number') throw new Error(`GET /v1/alerts: ${r.status} ${body.message ?? ''}`.trim());
        const wanted = this.opts.symbols();
        for (const a of body.alerts) {
          if (wanted.has(a.symbol)) {
            const before = this.lastId;
            this.deliver(a);
            if (this.lastId !== before) recovered++;
          } else if (typeof a.id === 'number' && (this.lastId === undefined || a.id > this.lastId)) {
            this.lastId = a.id;
          }
        }
        if (body.alerts.length < PAGE || body.next_after <= cursor) break;
        cursor = body.next_after;
      }
    } catch (e) {
      error = (e as Error).message;
    } finally {
      this.filling = false;
      const held = this.held.sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
      this.held = [];
      for (const a of held) this.deliver(a);
    }
    this.opts.report(error === undefined ? { after, recovered } : { after, recovered, error });
  }
}
