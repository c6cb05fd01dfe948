/**
 * `bookfuse watch <SYMBOL> [--depth N]`: a live top of book in the terminal, from a gateway via
 * libs/client. GATEWAY_URL (default ws://127.0.0.1:8080; several, comma-separated, are tried in turn) and BOOKFUSE_API_KEY (default demo).
 * Returns the exit code: 0 on Ctrl-C, 2 on bad usage, 1 when the gateway refuses for good.
 */
import WebSocket from 'ws';
import { BookfuseClient, type LocalBook, type WebSocketLike } from '../../libs/client/index.js';

const REDRAW_MS = 100;

export function renderTop(book: LocalBook, depth: number, state: string, now = Date.now()): string {
  const lines: string[] = [];
  lines.push(`${book.symbol}  epoch ${book.epoch} seq ${book.seq}  ${state}${book.crossed ? '  CROSSED' : ''}  ${book.synced ? '' : '(resyncing)'}`);
  const venues = Object.entries(book.venues)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([v, x]) => `${v}:${x.stale ? 'STALE' : x.state}${x.divergent ? `!${x.bps ?? ''}bps` : ''}`);
  lines.push(`venues  ${venues.join('  ') || '-'}`);
  const w = Math.max(12, ...book.asks.slice(0, depth).map((l) => l.price.length), ...book.bids.slice(0, depth).map((l) => l.price.length));
  const row = (side: string, p: string, q: string) => `${side} ${p.padStart(w)}  ${q}`;
  for (const l of book.asks.slice(0, depth).reverse()) lines.push(row('ask', l.price, l.total));
  lines.push('-'.repeat(w + 16));
  for (const l of book.bids.slice(0, depth)) lines.push(row('bid', l.price, l.total));
  lines.push(`updated ${new Date(now).toISOString()}`);
  return lines.join('\n');
}

export async function watch(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const symbol = args.find((a) => !a.startsWith('-'));
  const di = args.indexOf('--depth');
  const depth = di >= 0 ? Number(args[di + 1]) : 10;
  if (!symbol || !Number.isInteger(depth) || depth < 1) {
    process.stderr.write('usage: bookfuse watch <SYMBOL> [--depth N]   (GATEWAY_URL, BOOKFUSE_API_KEY)\n');
    return 2;
  }
  const client = new BookfuseClient({
    url: (env['GATEWAY_URL'] || 'ws://127.0.0.1:8080').split(',').map((u) => u.trim()),
    apiKey: env['BOOKFUSE_API_KEY'] || 'demo',
    symbols: [symbol],
    depth,
    webSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
  });
  const tty = process.stdout.isTTY;
  let dirty = true;
  client.on('book', () => (dirty = true));
  client.on('state', () => (dirty = true));
  client.on('error', (e) => process.stderr.write(`gateway: ${e.code} ${e.message}\n`));
  client.on('close', (c) => c.retryInMs !== null && process.stderr.write(`disconnected (${c.code}); retrying in ${c.retryInMs} ms\n`));
  client.start();
  return new Promise<number>((resolve) => {
    const timer = setInterval(() => {
      const book = client.books.get(symbol);
      if (!dirty || !book) return;
      dirty = false;
      process.stdout.write((tty ? '\x1b[H\x1b[2J' : '') + renderTop(book, depth, client.state) + '\n');
    }, REDRAW_MS);
    const done = (code: number) => {
      clearInterval(timer);
      process.off('SIGINT', onSig);
      process.off('SIGTERM', onSig);
      client.stop();
      resolve(code);
    };
    const onSig = () => done(0);
    process.on('SIGINT', onSig);
    process.on('SIGTERM', onSig);
    client.on('close', (c) => c.retryInMs === null && c.code !== 1000 && done(1));
  });
}
