/**
 * The WebSocket clients of the end-to-end suite, in their own process so their parsing does not
 * delay the simulator hosted by the benchmark. IPC in: {url, clients, symbols} then 'report'.
 * IPC out: 'ready' once all are subscribed, then {samples: [ts, receivedAt, gwAt, symbol][]} for
 * the BOOK messages received after 'measure' that change a level (bench/e2e-sample.ts says why;
 * receipt taken before parsing; gwAt, the gateway send in ms from gw_us, or gw_ts where there is
 * none, is -1 except for client 0; symbol is '' when the payload has none, as the transport
 * floor's frames).
 */
import WebSocket from 'ws';
import { nowUs } from '../libs/core/index.js';
import { changesALevel, type LevelChanges } from './e2e-sample.js';

const gatewayAt = (p: { gw_ts: number; gw_us?: number }): number => (p.gw_us === undefined ? p.gw_ts : p.gw_us / 1000);

interface Job {
  url: string;
  clients: number;
}

process.once('message', (job: Job) => {
  let measuring = false;
  const samples: [number, number, number, string][] = [];
  let open = 0;
  for (let i = 0; i < job.clients; i++) {
    const ws = new WebSocket(job.url, { perMessageDeflate: false });
    ws.on('open', () => {
      if (++open === job.clients) process.send!('ready');
    });
    ws.on('message', (d) => {
      const t = nowUs() / 1000;
      const msg = JSON.parse(d.toString()) as { type: string; payload: LevelChanges & { ts: number; gw_ts: number; gw_us?: number; symbol?: string } };
      if (msg.type === 'PING') return ws.send('{"type":"PONG"}');
      if (measuring && msg.type === 'BOOK' && changesALevel(msg.payload)) samples.push([msg.payload.ts, t, i === 0 ? gatewayAt(msg.payload) : -1, msg.payload.symbol ?? '']);
    });
  }
  process.on('message', (m) => {
    if (m === 'measure') measuring = true;
    if (m === 'report') {
      measuring = false;
      process.send!({ samples }, () => process.exit(0));
    }
  });
});
