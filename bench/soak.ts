/**
 * Soak: the foundation chain (simulated binance-usdm → collector → NATS → merger → gateway →
 * libs/client) running for N minutes. Every `--check-every` seconds the venue is frozen, the
 * pipeline drains, and the client's book is compared with the simulator's truth, exactly.
 *
 *   npm run build && node dist/bench/soak.js --minutes 10 [--check-every 30] [--json]
 */
import WebSocket from 'ws';
import { BookfuseClient, type WebSocketLike } from '../libs/client/index.js';
import { venueIds } from '../libs/venues/index.js';
import { startNats } from '../test/helpers/nats.js';
import { sleep, waitFor } from '../test/helpers/waits.js';
import { main as simulatorMain } from '../services/simulator/main.js';
import { main as collectorMain } from '../services/collector/main.js';
import { main as mergerMain } from '../services/merger/main.js';
import { main as gatewayMain } from '../services/gateway/main.js';
import { updateDocFile, measuredLine } from './report.js';
import { DEFAULT_DOC } from './lib/paths.js';
import { describeMachine } from './lib/machine.js';

const DEPTH = 25;
const KEY = 'soak';
/** the first registered venue (Binance USD-M): its simulator is the busiest */
const VENUE = venueIds()[0]!;

interface SoakResult {
  minutes: number;
  checks: number;
  mismatches: number;
  snapshots: number;
  deltas: number;
  resyncs: number;
  book_updates_per_s: number;
}

export async function runSoak(minutes: number, checkEveryS: number): Promise<SoakResult> {
  const nats = await startNats();
  const base = { NATS_URL: nats.url, LOG_LEVEL: 'warn' };
  const sim = await simulatorMain({ ...base, SIM_PORT: '0', SIM_VENUES: VENUE, SIM_BASES: 'BTC', SIM_BOOK_UPDATES_PER_S: '400' });
  const simUrl = sim.listening['control']!.replace(/\/control$/, '');
  const gateway = await gatewayMain({ ...base, GATEWAY_PORT: '0', GATEWAY_API_KEYS: KEY, GATEWAY_SYMBOLS: 'BTC-USD' });
  const merger = await mergerMain({ ...base, MERGER_PORT: '0', CONSENSUS_GROUPS: `BTC-USD@0.1/${DEPTH}=${VENUE}:BTC-USDT`, STALE_AFTER_MS: '10000' });
  const collector = await collectorMain({ ...base, COLLECTOR_PORT: '0', COLLECTOR_VENUES: VENUE, COLLECTOR_BASES: 'BTC', COLLECTOR_SIMULATOR_URL: simUrl });

  const counts = { snapshots: 0, deltas: 0, resyncs: 0, lastAt: 0 };
  const client = new BookfuseClient({
    url: gateway.listening['http']!.replace(/^http/, 'ws'),
    apiKey: KEY,
    symbols: ['BTC-USD'],
    depth: DEPTH,
    webSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
  });
  client.on('book', (_b, kind) => {
    counts.lastAt = Date.now();
    if (kind === 'snapshot') counts.snapshots++;
    else counts.deltas++;
  });
  client.on('resync', () => counts.resyncs++);
  client.start();

  const control = (body: unknown) => fetch(`${simUrl}/control`, { method: 'POST', body: JSON.stringify(body) });
  const started = Date.now();
  const end = started + minutes * 60_000;
  let checks = 0;
  let mismatches = 0;
  while (Date.now() < end) {
    await sleep(Math.min(checkEveryS * 1000, Math.max(0, end - Date.now())));
    await control({ venue: VENUE, action: 'silence', ms: 10_000 });
    await waitFor(() => Date.now() - counts.lastAt > 400, { timeoutMs: 2500, what: 'the client to go quiet' }).catch(() => undefined);
    const truth = (await (await fetch(`${simUrl}/truth/${VENUE}/BTC-USDT?depth=${DEPTH}`)).json()) as { bids: string[][]; asks: string[][] };
    const book = client.books.get('BTC-USD');
    const mine = { bids: (book?.bids ?? []).map((l) => [l.price, l.total]), asks: (book?.asks ?? []).map((l) => [l.price, l.total]) };
    checks++;
    if (JSON.stringify(mine) !== JSON.stringify({ bids: truth.bids, asks: truth.asks })) {
      mismatches++;
      process.stderr.write(`check ${checks}: client book differs from the truth\n`);
    }
    await control({ venue: VENUE, action: 'resume' });
  }
  client.stop();
  for (const p of [collector, merger, gateway, sim]) await p.stop();
  await nats.dispose();
  const secs = (Date.now() - started) / 1000;
  return { minutes, checks, mismatches, snapshots: counts.snapshots, deltas: counts.deltas, resyncs: counts.resyncs, book_updates_per_s: Math.round(counts.deltas / secs) };
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const arg = (name: string, dflt: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1]! : dflt;
  };
  const r = await runSoak(Number(arg('minutes', '10')), Number(arg('check-every', '30')));
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(r) + '\n');
  else process.stdout.write(`soak ${r.minutes} min: ${r.checks} exact checks, ${r.mismatches} mismatches, ${r.deltas} deltas (${r.book_updates_per_s}/s), ${r.snapshots} snapshots, ${r.resyncs} resyncs\n`);
  await updateDocFile(DEFAULT_DOC(), [
    {
      name: 'soak',
      body: [
        `## Soak: client book vs simulator truth (\`node dist/bench/soak.js --minutes ${r.minutes}\`)`,
        '',
        measuredLine(new Date(), describeMachine()),
        '',
        `${r.minutes} minutes of synthetic ${VENUE} BTC through collector → NATS → merger → gateway → libs/client.`,
        `Every ${arg('check-every', '30')} s the venue was frozen and the client's top ${DEPTH} compared with /truth: **${r.checks} checks, ${r.mismatches} mismatches**; ${r.deltas} deltas applied (${r.book_updates_per_s}/s), ${r.snapshots} snapshots, ${r.resyncs} resyncs.`,
      ].join('\n'),
    },
  ]);
  process.exit(r.mismatches === 0 ? 0 : 1);
}
