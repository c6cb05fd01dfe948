/**
 * The standing hostile fuzzer (issue 13 item 8): thousands of generated request lines and header
 * sets on raw sockets against the gateway, the firehose and the simulator, and generated client
 * frames over real WebSockets against the gateway and the firehose. Nothing may exit or answer
 * 5xx, and no keyed route may answer 2xx without a key. Cases are generated with fast-check
 * (seeded: a failure names the seed and the request) and sent concurrently to stay CI-fast.
 */
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTargetRefusal, normalizeTarget } from '../../libs/ws/index.js';
import { CloseCode } from '../../libs/client/index.js';
import { API_KEY } from '../integration/firehose-harness.js';
import { startTargets, type HostileTargets } from './targets.js';
import { clientFrameArb, requestArb, type HostileRequest } from './arbitraries.js';
import { rawRequest, type RawAnswer } from './raw-http.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 1313);
const REQUESTS_PER_SERVER = Number(process.env['FUZZ_REQUESTS'] ?? 1500);
const FRAMES_PER_SERVER = Number(process.env['FUZZ_FRAMES'] ?? 2000);
const CONCURRENCY = 24;

let t: HostileTargets;

beforeAll(async () => {
  // generous strike and rate limits, so the frame fuzzer exercises the parser, not only the limiter
  t = await startTargets({ GATEWAY_MAX_STRIKES: '10000', GATEWAY_RATE_PER_S: '100000', GATEWAY_RATE_BURST: '100000' }, 'fuzz-ops');
});
afterAll(async () => {
  await t?.stop();
});

async function pool<T>(items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

/** A keyed payload in a body: a book (`"epoch":1`) or the venue overview (`"synced":true`). */
const KEYED_BODY = /"epoch":\d|"synced":(true|false)/;

function keyedPath(target: string): boolean {
  const t = normalizeTarget(target);
  return !isTargetRefusal(t) && (t.path === '/v1' || t.path.startsWith('/v1/'));
}

async function fuzzRequests(name: string, port: () => number, seedOffset: number): Promise<void> {
  const cases = fc.sample(requestArb, { numRuns: REQUESTS_PER_SERVER, seed: SEED + seedOffset });
  const bad: { req: HostileRequest; answer: RawAnswer; why: string }[] = [];
  await pool(cases, CONCURRENCY, async (req) => {
    const answer = await rawRequest(port(), req.method, req.target, { upgrade: req.upgrade, headers: req.headers, timeoutMs: 1500 });
    const s = answer.status;
    if (s !== undefined && s >= 500) bad.push({ req, answer, why: `${s}` });
    if (s !== undefined && s >= 200 && s < 300 && (keyedPath(req.target) || KEYED_BODY.test(answer.body))) bad.push({ req, answer, why: 'keyed route answered without a key' });
  });
  expect(bad.slice(0, 5).map((b) => ({ why: b.why, seed: SEED + seedOffset, req: { ...b.req, target: b.req.target.slice(0, 200) }, head: b.answer.head.slice(0, 100) })), `${name}: hostile requests`).toEqual([]);
  const health = await rawRequest(port(), 'GET', '/healthz');
  expect(health.status, `${name} still answers`).toBe(200);
}

describe('request fuzzing on raw sockets', () => {
  it(`gateway: ${REQUESTS_PER_SERVER} generated requests, no 5xx, no keyed 2xx, still up`, async () => fuzzRequests('gateway', () => t.gw.gw.port, 0));
  it(`firehose: ${REQUESTS_PER_SERVER} generated requests, no 5xx, still up`, async () => fuzzRequests('firehose', () => t.fh.firehose.port, 1));
  it(`simulator: ${REQUESTS_PER_SERVER} generated requests, no 5xx, still up`, async () => fuzzRequests('simulator', () => t.sim.server.port, 2));
  it(`ops endpoints (collector, merger): ${REQUESTS_PER_SERVER} generated requests, no 5xx, still up`, async () => fuzzRequests('ops', () => t.ops.port, 3));
});

const DOCUMENTED_CLOSES = new Set<number>([...Object.values(CloseCode), 1005, 1006, 1009]);

/** Send generated frames over a few connections; each stays open or closes with a documented code. */
async function fuzzFrames(name: string, url: string, seedOffset: number): Promise<void> {
  const frames = fc.sample(clientFrameArb, { numRuns: FRAMES_PER_SERVER, seed: SEED + seedOffset });
  const CONNS = 8;
  const closes: number[] = [];
  await Promise.all(
    Array.from({ length: CONNS }, async (_, i) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.on('error', () => undefined);
      ws.on('message', () => undefined);
      const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
      await new Promise<void>((r) => ws.once('open', () => r()));
      for (let k = i; k < frames.length && ws.readyState === ws.OPEN; k += CONNS) {
        const f = frames[k]!;
        ws.send(f, { binary: Buffer.isBuffer(f) });
        if (k % 64 === i) await new Promise((r) => setImmediate(r));
      }
      // a ping-pong round trip: everything sent before it has been read by the server
      if (ws.readyState === ws.OPEN) await new Promise<void>((r) => (ws.once('pong', () => r()), ws.ping()));
      ws.close();
      closes.push(await closed);
    }),
  );
  expect(closes.filter((c) => !DOCUMENTED_CLOSES.has(c)), `${name}: undocumented close codes`).toEqual([]);
}

describe('client frame fuzzing over real WebSockets', () => {
  it(`gateway: ${FRAMES_PER_SERVER} generated frames, documented closes only, still serving`, async () => {
    await fuzzFrames('gateway', `${t.gw.wsUrl}/ws?token=demo&symbols=BTC-USD`, 10);
    const r = await fetch(`${t.gw.httpUrl}/v1/books/BTC-USD?token=demo`);
    expect(r.status).toBe(200);
  });

  it(`firehose: ${FRAMES_PER_SERVER} generated frames, documented closes only, still serving`, async () => {
    await fuzzFrames('firehose', `ws://127.0.0.1:${t.fh.firehose.port}/ws/v1/liquidation/feed?token=${API_KEY}`, 11);
    expect((await rawRequest(t.fh.firehose.port, 'GET', '/healthz')).status).toBe(200);
  });
});
