/** A test WebSocket client that collects JSON messages and waits for them. */
import WebSocket from 'ws';
import { waitFor } from './waits.js';

export class JsonSocket {
  readonly messages: unknown[] = [];
  readonly ws: WebSocket;
  closed: { code: number; reason: string } | undefined;
  private opened: Promise<void>;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { headers, perMessageDeflate: false });
    this.ws.on('message', (d) => this.messages.push(JSON.parse(d.toString()) as unknown));
    this.ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  open(): Promise<void> {
    return this.opened;
  }

  send(msg: unknown): void {
    this.ws.send(JSON.stringify(msg));
  }

  /** Waits for a message matching `pred` (among all received so far) and returns it. */
  async next<T>(pred: (m: T) => boolean, timeoutMs = 10_000, what = 'a matching message'): Promise<T> {
    return waitFor(() => (this.messages as T[]).find(pred), { timeoutMs, what });
  }

  close(): void {
    this.ws.close();
  }
}
