/**
 * Records what the running chain really sends — every bookfuse NATS subject, the replies to
 * snapshot requests, and the frames of the gateway's and firehose's WebSockets — after driving it
 * through the cases that produce every kind of message (alerts, errors, gaps, subscribe, resync).
 */
import type { NatsConnection } from 'nats';
import WebSocket from 'ws';
import { subjects } from '../../libs/bus/index.js';
import { sleep } from '../helpers/waits.js';
import { KEY, type Chain } from './chain.js';

/** One recorded message: where it travelled (a NATS subject or a WebSocket path) and its body. */
export interface Recorded {
  via: 'nats' | 'nats-reply' | 'ws';
  /** NATS subject (for replies: the subject asked), or WebSocket path without the query */
  where: string;
  /** parsed JSON; null for an empty body */
  body: unknown;
}

const text = new TextDecoder();
const json = (data: Uint8Array): unknown => (data.length === 0 ? null : (JSON.parse(text.decode(data)) as unknown));

class Socket {
  readonly ws: WebSocket;
  constructor(
    url: string,
    private readonly path: string,
    private readonly out: Recorded[],
    onMessage: (m: { type?: string }, s: Socket) => void = () => undefined,
  ) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { type?: string };
      this.out.push({ via: 'ws', where: this.path, body: m });
      onMessage(m, this);
    });
    this.ws.on('error', () => undefined);
  }
  opened(): Promise<void> {
    return new Promise((resolve) => (this.ws.readyState === WebSocket.OPEN ? resolve() : this.ws.once('open', () => resolve())));
  }
  send(m: unknown): void {
    this.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }
}

export async function recordTraffic(chain: Chain, nc: NatsConnection): Promise<Recorded[]> {
  const out: Recorded[] = [];
  // bodies this recording sends on purpose to provoke errors: not traffic to validate
  const bad = new Set(['{"depth":"x"}', '{"not":"a liquidation"}']);
  const sub = nc.subscribe(subjects.all(), { callback: (_e, m) => bad.has(text.decode(m.data)) || out.push({ via: 'nats', where: m.subject, body: json(m.data) }) });
  const ask = async (subject: string, body: string) => {
    try {
      const r = await nc.request(subject, new TextEncoder().encode(body), { timeout: 2000 });
      out.push({ via: 'nats-reply', where: subject, body: json(r.data) });
    } catch {
      // no responder: nothing was sent, nothing to check
    }
  };
  const gw = chain.urls.gateway.replace(/^http/, 'ws');
  const fh = chain.urls.firehose.replace(/^http/, 'ws');
  const answerPings = (m: { type?: string }, s: Socket) => m.type === 'PING' && s.send({ type: 'PONG' });
  const sockets = [
    new Socket(`${gw}/ws?token=${KEY}&symbols=BTC-USD&depth=5&detail=venues`, '/ws', out, answerPings),
    new Socket(`${gw}/ws?symbols=ETH-USD&mode=snapshot&interval_ms=100&depth=3`, '/ws', out, answerPings),
    new Socket(`${gw}/ws`, '/ws', out),
    new Socket(`${gw}/ws/${KEY}/BTC-USD?depth=4&interval_ms=100`, '/ws/{key}/{symbol}', out),
    new Socket(`${gw}/ws/${KEY}/NOPE-USD`, '/ws/{key}/{symbol}', out),
    new Socket(`${fh}/ws/v1/liquidation/feed?token=${KEY}`, '/ws/v1/liquidation/feed', out),
    new Socket(`${fh}/ws/v1/liquidation?token=${KEY}&symbols=BTC-USDT,ETH-USDT`, '/ws/v1/liquidation', out),
    new Socket(`${fh}/ws/v1/liquidation/feed?token=wrong`, '/ws/v1/liquidation/feed', out),
    new Socket(`${fh}/ws/v1/liquidation?token=${KEY}&after=x`, '/ws/v1/liquidation', out),
    // a name that exists nowhere: ERROR, and the connection stays for BTC-USDT
    new Socket(`${fh}/ws/v1/liquidation?token=${KEY}&symbols=BTC-USDT,NOPE-USDT`, '/ws/v1/liquidation', out),
    new Socket(`${gw}/ws/windows?token=${KEY}`, '/ws/windows', out),
  ];
  // ERROR AUTH_FAILED on the second /ws (no key) is part of the recording; the client messages below
  const [stream, , , , , feed, filtered] = sockets as [Socket, Socket, Socket, Socket, Socket, Socket, Socket];
  await Promise.all([stream.opened(), feed.opened(), filtered.opened()]);
  stream.send({ type: 'SUBSCRIBE', payload: { symbols: ['ETH-USD'], depth: 3 } });
  stream.send({ type: 'RESYNC', payload: { symbol: 'BTC-USD' } });
  stream.send({ type: 'SUBSCRIBE', payload: { symbols: ['NOPE-USD'] } });
  stream.send('not json');
  const windows = sockets.at(-1)!;
  await windows.opened();
  windows.send({ type: 'subscribe', asset: 'BTC', marketTypes: ['1s'] });
  windows.send({ type: 'subscribe', asset: 'DOGE' });
  feed.send({ method: 'PING' });
  filtered.send({ method: 'PING' });
  await sleep(800);
  stream.send({ type: 'UNSUBSCRIBE', payload: { symbols: ['ETH-USD'] } });
  windows.send({ type: 'subscribe', asset: 'ETH', marketTypes: ['1s'] });

  await ask(subjects.snapshot('okx-swap', 'BTC-USDT'), '');
  await ask(subjects.snapshot('okx-swap', 'NOPE-USDT'), '');
  await ask(subjects.consensusSnapshot('BTC-USD'), '{"depth":2}');
  await ask(subjects.consensusSnapshot('ETH-USD'), '');
  await ask(subjects.consensusSnapshot('BTC-USD'), '{"depth":"x"}');
  // a log entry that is not a liquidation: the firehose announces it as a GAP
  nc.publish(subjects.consensusLiq(), new TextEncoder().encode('{"not":"a liquidation"}'));

  // STALE then RECOVERED, DIVERGENCE then CONVERGED, a gap and its RESYNC
  await chain.control('okx-swap', 'silence', { ms: 2500 });
  await chain.control('bybit-linear', 'shift_price', { bps: 80 });
  await chain.control('binance-usdm', 'skip_seq');
  await sleep(3500);
  await chain.control('bybit-linear', 'resume');
  await sleep(2500);

  windows.send({ type: 'unsubscribe' });
  await sleep(100);
  sub.unsubscribe();
  for (const s of sockets) s.ws.terminate();
  return out;
}
