/**
 * Requests written byte for byte on raw `net` sockets, as a hostile client sends them: no client
 * library fixes up the target, the headers or the timing.
 */
import net from 'node:net';

export interface RawAnswer {
  /** HTTP status of the answer, 101 for a completed upgrade, undefined when the socket closed without one */
  status: number | undefined;
  head: string;
  body: string;
}

export interface RawOptions {
  headers?: Record<string, string>;
  upgrade?: boolean;
  /** local address to connect from (127.0.0.x), to act as another host */
  localAddress?: string;
  timeoutMs?: number;
}

const UPGRADE_HEADERS = { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' };

export function requestText(method: string, target: string, opts: RawOptions = {}): string {
  const headers = { Host: 'bookfuse.test', ...(opts.upgrade ? UPGRADE_HEADERS : { Connection: 'close' }), ...opts.headers };
  return `${method} ${target} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
}

/** Write `text`, read until the server closes (or, for an upgrade, until the 101 head and first frame). */
export function rawExchange(port: number, text: string | Buffer, opts: RawOptions = {}): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1', ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    let data = Buffer.alloc(0);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      const str = data.toString('latin1');
      const cut = str.indexOf('\r\n\r\n');
      const head = cut >= 0 ? str.slice(0, cut) : str;
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      resolve({ status: m ? Number(m[1]) : undefined, head, body: cut >= 0 ? str.slice(cut + 4) : '' });
    };
    const timer = setTimeout(finish, opts.timeoutMs ?? 3_000);
    s.on('connect', () => s.write(text));
    s.on('data', (c: Buffer) => {
      data = Buffer.concat([data, c]);
      // a completed upgrade stays open: its head (and the ERROR frame that may follow) is enough
      if (data.toString('latin1').startsWith('HTTP/1.1 101') && data.includes('\r\n\r\n')) setTimeout(finish, 100);
    });
    s.on('error', finish);
    s.on('close', finish);
  });
}

export function rawRequest(port: number, method: string, target: string, opts: RawOptions = {}): Promise<RawAnswer> {
  return rawExchange(port, requestText(method, target, opts), opts);
}

/** Send an upgrade and reset the connection (RST) after `afterMs`, while the server may be answering. */
export function resetDuringUpgrade(port: number, target: string, afterMs = 0): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.on('error', () => undefined);
    s.on('close', () => resolve());
    s.on('connect', () => {
      s.write(requestText('GET', target, { upgrade: true }));
      setTimeout(() => s.resetAndDestroy(), afterMs);
    });
  });
}

/** Send an upgrade and half-close our side at once (FIN), then wait for the server to finish. */
export function halfCloseDuringUpgrade(port: number, target: string): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    s.on('error', () => undefined);
    s.on('data', () => undefined);
    s.on('close', () => resolve());
    s.on('connect', () => s.end(requestText('GET', target, { upgrade: true })));
    setTimeout(() => s.destroy(), 2_000);
  });
}
