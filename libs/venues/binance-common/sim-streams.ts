/**
 * The stream side of a simulated Binance socket (spot and futures speak the same protocol,
 * venues.md §1): streams named in the URL (`/stream?streams=a/b` wraps each event as
 * `{"stream","data"}`, `/ws/a/b` sends it bare), live SUBSCRIBE / UNSUBSCRIBE /
 * LIST_SUBSCRIPTIONS answered as the venue does. Stream names are lower case.
 */
import type { SimClient, SimSession } from '../../simulator/index.js';

/** One event encoded at most once per shape, however many sessions receive it. */
export class StreamEvent {
  private wrapped?: string;
  private bare?: string;

  constructor(
    readonly stream: string,
    private readonly data: object,
  ) {}

  text(combined: boolean): string {
    if (combined) return (this.wrapped ??= JSON.stringify({ stream: this.stream, data: this.data }));
    return (this.bare ??= JSON.stringify(this.data));
  }
}

export class BinanceStreamSession implements SimSession {
  private readonly streams = new Set<string>();
  /** `/stream?streams=` (and live-subscribed `/stream`) wraps events; `/ws/…` sends them bare */
  readonly combined: boolean;

  constructor(
    path: string,
    query: URLSearchParams,
    private readonly client: SimClient,
    private readonly onDone: () => void,
  ) {
    this.combined = !/\/ws(\/|$)/.test(path);
    for (const s of (query.get('streams') ?? '').split('/')) if (s) this.streams.add(s.toLowerCase());
    const raw = /\/ws\/(.+)$/.exec(path);
    if (raw?.[1]) for (const s of raw[1].split('/')) this.streams.add(s.toLowerCase());
  }

  has(stream: string): boolean {
    return this.streams.has(stream);
  }

  /** any stream starting with `prefix` (e.g. `btcusdt@depth` covers `@depth` and `@depth@100ms`) */
  hasPrefix(prefix: string): boolean {
    for (const s of this.streams) if (s.startsWith(prefix)) return true;
    return false;
  }

  send(ev: StreamEvent): void {
    this.client.send(ev.text(this.combined));
  }

  onMessage(text: string): void {
    let m: { method?: unknown; params?: unknown; id?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      this.client.send(JSON.stringify({ code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' }));
      return;
    }
    const id = m.id ?? null;
    if (m.method === 'LIST_SUBSCRIPTIONS') return this.client.send(JSON.stringify({ result: [...this.streams], id }));
    if ((m.method !== 'SUBSCRIBE' && m.method !== 'UNSUBSCRIBE') || !Array.isArray(m.params) || !m.params.every((p) => typeof p === 'string')) {
      this.client.send(JSON.stringify({ code: 2, msg: 'Invalid request: unknown method or params', id }));
      return;
    }
    for (const p of m.params as string[]) {
      if (m.method === 'SUBSCRIBE') this.streams.add(p.toLowerCase());
      else this.streams.delete(p.toLowerCase());
    }
    this.client.send(JSON.stringify({ result: null, id }));
  }

  onClose(): void {
    this.onDone();
  }
}
