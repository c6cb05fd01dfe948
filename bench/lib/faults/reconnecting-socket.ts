/**
 * The WebSocket each fault-bench client keeps open: whenever it closes (its server killed or
 * restarted, NATS away) it is reopened after `reconnectMs`, on the next URL of the list, until
 * stop(). Subclasses say what address to open (`address`, e.g. with the last seq read) and what a
 * JSON message means; text that is not JSON is ignored.
 */
import WebSocket from 'ws';

export abstract class ReconnectingSocket {
  connects = 0;
  private ws: WebSocket | undefined;
  private stopped = false;
  private urlIndex = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly urls: string[],
    private readonly reconnectMs = 250,
  ) {}

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.terminate();
  }

  protected connect(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.address(this.urls[this.urlIndex % this.urls.length]!), { perMessageDeflate: false });
    this.ws = ws;
    ws.on('open', () => {
      this.connects++;
      this.onOpen();
    });
    ws.on('message', (d) => {
      let m: unknown;
      try {
        m = JSON.parse(d.toString());
      } catch {
        return;
      }
      this.onJson(ws, m);
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (this.ws !== ws || this.stopped) return;
      this.onClosed();
      this.urlIndex++;
      this.timer = setTimeout(() => this.connect(), this.reconnectMs);
    });
  }

  /** the URL to open on `base`, one of the configured URLs */
  protected abstract address(base: string): string;
  protected abstract onJson(ws: WebSocket, m: unknown): void;
  protected onOpen(): void {}
  /** the socket closed (not by stop()); a reconnect follows */
  protected onClosed(): void {}
}
