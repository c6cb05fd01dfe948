/**
 * REST calls for one venue through one weight budget shared by every symbol: a token bucket of
 * the venue's weight per minute, and when the venue says 429 (or 418, an IP ban) every caller
 * waits out Retry-After together. A reconnect of 100 symbols therefore queues behind the budget
 * instead of earning a ban.
 */
import { BookfuseError } from '../core/index.js';
import type { RestRequest } from './adapter.js';

export interface RestClientOptions {
  baseUrl: string;
  weightPerMinute: number;
  timeoutMs?: number;
  /** fraction of the venue budget we allow ourselves (other processes share the IP) */
  budgetFraction?: number;
  now?: () => number;
  fetchImpl?: typeof fetch;
}

export class RestClient {
  private tokens: number;
  private readonly capacity: number;
  private readonly perMs: number;
  private last: number;
  private pausedUntil = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly fetchImpl: typeof fetch;
  /** what happened, for metrics */
  readonly counters = { requests: 0, throttled_waits: 0, rate_limited: 0, banned: 0, errors: 0 };

  constructor(private readonly opts: RestClientOptions) {
    this.capacity = Math.max(1, Math.floor(opts.weightPerMinute * (opts.budgetFraction ?? 0.5)));
    this.tokens = this.capacity;
    this.perMs = this.capacity / 60_000;
    this.now = opts.now ?? Date.now;
    this.last = this.now();
    this.fetchImpl = opts.fetchImpl ?? fetch;
  }

  /** Run a request once the budget allows; resolves with the parsed JSON body. */
  request(req: RestRequest): Promise<unknown> {
    const run = this.queue.then(() => this.acquire(req.weight));
    this.queue = run.catch(() => undefined);
    return run.then(() => this.send(req));
  }

  private async acquire(weight: number): Promise<void> {
    const w = Math.min(weight, this.capacity);
    for (;;) {
      const now = this.now();
      if (now < this.pausedUntil) {
        this.counters.throttled_waits++;
        await sleep(this.pausedUntil - now);
        continue;
      }
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.perMs);
      this.last = now;
      if (this.tokens >= w) {
        this.tokens -= w;
        return;
      }
      this.counters.throttled_waits++;
      await sleep(Math.ceil((w - this.tokens) / this.perMs));
    }
  }

  private async send(req: RestRequest): Promise<unknown> {
    this.counters.requests++;
    const url = `${this.opts.baseUrl}${req.path}`;
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), this.opts.timeoutMs ?? 10_000);
    let res: Response;
    try {
      const init: RequestInit = { method: req.method, signal: ctrl.signal, headers: { accept: 'application/json' } };
      if (req.body !== undefined) {
        init.body = JSON.stringify(req.body);
        init.headers = { accept: 'application/json', 'content-type': 'application/json' };
      }
      res = await this.fetchImpl(url, init);
    } catch (e) {
      this.counters.errors++;
      throw new BookfuseError('HTTP_ERROR', `${req.method} ${req.path}: ${(e as Error).message}`, { retryable: true, cause: e });
    } finally {
      clearTimeout(timer);
    }
    if (res.status === 429 || res.status === 418) {
      const retryAfterS = Number(res.headers.get('retry-after') ?? '');
      const waitMs = Number.isFinite(retryAfterS) && retryAfterS > 0 ? retryAfterS * 1000 : res.status === 418 ? 120_000 : 60_000;
      this.pausedUntil = Math.max(this.pausedUntil, this.now() + waitMs);
      if (res.status === 418) this.counters.banned++;
      else this.counters.rate_limited++;
      throw new BookfuseError(res.status === 418 ? 'IP_BANNED' : 'RATE_LIMITED', `${req.path}: HTTP ${res.status}, pausing ${waitMs} ms`, { retryable: true });
    }
    const text = await res.text();
    if (!res.ok) {
      this.counters.errors++;
      throw new BookfuseError('HTTP_ERROR', `${req.method} ${req.path}: HTTP ${res.status} ${text.slice(0, 200)}`, { retryable: res.status >= 500 });
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      this.counters.errors++;
      throw new BookfuseError('BAD_FRAME', `${req.path}: body is not JSON`, { cause: e });
    }
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
