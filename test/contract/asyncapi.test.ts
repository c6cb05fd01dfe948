import type { NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AsyncAPIDocumentInterface } from '@asyncapi/parser';
import { closeBus, connectBus } from '../../libs/bus/index.js';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ERROR_CODES } from '../../libs/client/index.js';
import { ASYNCAPI_PATH, loadAsyncApi, TrafficValidator } from './asyncapi-spec.js';
import { startChain, type Chain } from './chain.js';
import { recordTraffic, type Recorded } from './traffic.js';

/** Every channel and message this recording must have produced, so the test cannot pass on silence. */
const MUST_SEE = [
  'venueBook/venueBook', 'venueTrade/venueTrade', 'venueLiq/venueLiq', 'venueStatus/venueStatus',
  'venueSnapshot/request', 'venueSnapshot/venueBook', 'venueSnapshot/error',
  'consensusBook/consensusBook', 'consensusTrade/consensusTrade', 'consensusAlert/alert', 'consensusLiq/liquidation',
  'consensusSnapshot/snapshotRequest', 'consensusSnapshot/consensusBook', 'consensusSnapshot/error',
  'consensusWs/handshake', 'consensusWs/snapshot', 'consensusWs/book', 'consensusWs/trade', 'consensusWs/alert', 'consensusWs/ping',
  'consensusWs/subscribed', 'consensusWs/unsubscribed', 'consensusWs/error',
  'symbolWs/snapshot', 'symbolWs/trade', 'symbolWs/error',
  'firehoseFeed/liquidation', 'firehoseFeed/gap', 'firehoseFeed/pong', 'firehoseFeed/error',
  'firehoseFiltered/liquidation', 'firehoseFiltered/gap', 'firehoseFiltered/pong', 'firehoseFiltered/error',
  'consensusWindow/windowOpen', 'windowsWs/connected', 'windowsWs/subscribed', 'windowsWs/windowOpen', 'windowsWs/unsubscribed', 'windowsWs/error',
];

describe('docs/asyncapi.yaml (#15 item 1)', () => {
  let document: AsyncAPIDocumentInterface | undefined;

  it('loads in the official AsyncAPI parser with no error and no warning', async () => {
    const loaded = await loadAsyncApi();
    const serious = loaded.diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code} ${d.message} at ${d.path.join('.')}`);
    expect(serious).toEqual([]);
    expect(loaded.document).toBeDefined();
    document = loaded.document;
  });

  it('lists exactly the error codes of the code table each server sends (libs/client/codes.ts)', () => {
    const doc = parse(readFileSync(ASYNCAPI_PATH, 'utf8')) as { components: { messages: Record<string, { payload: { properties: { payload: { properties: { code: { enum: string[] } } } } } }> } };
    const codes = (who: 'gw' | 'fh') => Object.entries(ERROR_CODES).filter(([, c]) => (c.sent as readonly string[]).includes(who)).map(([k]) => k).sort();
    const documented = (m: string) => [...doc.components.messages[m]!.payload.properties.payload.properties.code.enum].sort();
    expect(documented('Error')).toEqual(codes('gw'));
    expect(documented('FirehoseError')).toEqual(codes('fh'));
  });

  it('describes every NATS subject the builders make and every WebSocket path', async () => {
    document ??= (await loadAsyncApi()).document!;
    const addresses = document.channels().all().map((c) => c.address());
    for (const a of [
      'bookfuse.v1.book.{venue}.{symbol}', 'bookfuse.v1.trade.{venue}.{symbol}', 'bookfuse.v1.liq.{venue}.{symbol}', 'bookfuse.v1.status.{venue}',
      'bookfuse.v1.snapshot.{venue}.{symbol}', 'bookfuse.v1.consensus.book.{csym}', 'bookfuse.v1.consensus.trade.{csym}', 'bookfuse.v1.consensus.alert.{csym}',
      'bookfuse.v1.consensus.snapshot.{csym}', 'bookfuse.v1.consensus.liq', 'bookfuse.v1.consensus.window.{asset}.{type}', '/ws/windows', '/ws', '/ws/{key}/{symbol}', '/ws/v1/liquidation/feed', '/ws/v1/liquidation',
    ]) {
      expect(addresses).toContain(a);
    }
  });

  describe('real traffic of the running chain validates against it', () => {
    let chain: Chain;
    let nc: NatsConnection;
    let recorded: Recorded[] = [];

    beforeAll(async () => {
      document ??= (await loadAsyncApi()).document!;
      chain = await startChain();
      nc = await connectBus({ url: chain.nats.url, name: 'contract-recorder' });
      recorded = await recordTraffic(chain, nc);
    }, 90_000);
    afterAll(async () => {
      if (nc) await closeBus(nc);
      await chain?.stop();
    });

    it('every recorded NATS message and WebSocket frame matches its channel and message schema', () => {
      const validator = new TrafficValidator(document!);
      const problems = new Map<string, string>();
      for (const r of recorded) {
        const v = validator.check(r);
        if (!v.ok && !problems.has(v.key)) problems.set(v.key, v.problem);
      }
      expect(recorded.length).toBeGreaterThan(500);
      expect([...problems.values()]).toEqual([]);
    });

    it('a fractional time, a missing field or an undocumented field fails validation', () => {
      const validator = new TrafficValidator(document!);
      const book = recorded.find((r) => r.via === 'nats' && r.where.startsWith('bookfuse.v1.consensus.book.'))!;
      const body = book.body as Record<string, unknown>;
      expect(validator.check(book).ok).toBe(true);
      expect(validator.check({ ...book, body: { ...body, merge_ts: 1796403420828.1382 } }).ok).toBe(false);
      expect(validator.check({ ...book, body: { ...body, line: 'a' } }).ok).toBe(false);
      const { seq: _seq, ...noSeq } = body;
      expect(validator.check({ ...book, body: noSeq }).ok).toBe(false);
      expect(validator.check({ via: 'nats', where: 'bookfuse.v1.nothing.here', body }).ok).toBe(false);
    });

    it('the recording holds every kind of message the document describes', () => {
      const validator = new TrafficValidator(document!);
      const seen = new Set<string>();
      for (const r of recorded) {
        const v = validator.check(r);
        if (v.ok) seen.add(`${v.channel}/${v.message}`);
      }
      expect(MUST_SEE.filter((k) => !seen.has(k))).toEqual([]);
    });

    it('every *_ts is an integer count of ms and every *_us an integer count of µs (#15 item 3)', () => {
      const bad: string[] = [];
      const walk = (x: unknown, path: string): void => {
        if (Array.isArray(x)) x.forEach((v, i) => walk(v, `${path}[${i}]`));
        else if (typeof x === 'object' && x !== null) {
          for (const [k, v] of Object.entries(x)) {
            if ((/_ts$|^ts$|_us$|^server_time$/.test(k) && !Number.isSafeInteger(v)) || (k.endsWith('_ms') && typeof v === 'number' && !Number.isInteger(v))) bad.push(`${path}.${k}=${String(v)}`);
            walk(v, `${path}.${k}`);
          }
        }
      };
      for (const r of recorded) walk(r.body, `${r.where}`);
      expect(bad.slice(0, 20)).toEqual([]);
    });
  });
});
