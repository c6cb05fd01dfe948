/**
 * The liquidation firehose against a real NATS + JetStream and real sockets on port 0.
 * One firehose serves the protocol tests; tests that change the log or the server start their own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { LIQ_STREAM, subjects } from '../../libs/bus/index.js';
import { CloseCode } from '../../libs/ws/index.js';
import { sleep, waitFor } from '../helpers/waits.js';
import { API_KEY, connectClient, liq, metricValue, publishFast, publishLiqs, firehoseForTest, startFirehose, waitForLiqs, type Running } from './firehose-harness.js';

const FEED = '/ws/v1/liquidation/feed';

describe('firehose: live feed', () => {
  let h: Running;
  beforeAll(async () => {
    h = await startFirehose({ FIREHOSE_IDLE_TIMEOUT_MS: '1000' });
  });
  afterAll(async () => h?.stop());

  it('sends every liquidation once, as its own message, in the order the log holds them', async () => {
    const a = await connectClient(h.url(FEED));
    const b = await connectClient(h.url(FEED), { header: true });
    const msgs = Array.from({ length: 300 }, (_, i) => liq(i, 'order'));
    const seqs = await publishLiqs(h.pub, msgs);
    await waitForLiqs(a, 300);
    await waitForLiqs(b, 300);
    for (const c of [a, b]) {
      expect(c.liqs().map((m) => m.id)).toEqual(msgs.map((m) => m.id));
      expect(c.liqs().map((m) => m.seq)).toEqual(seqs);
    }
    expect(a.messages[0]).toEqual({
      id: 'order-0',
      seq: seqs[0],
      venue: 'binance-usdm',
      symbol: 'BTC-USDT',
      side: 'sell',
      liquidated: 'long',
      price: '98412.3',
      qty: '0.120',
      notional_usd: '11809.476',
      coverage: 'sampled',
      ts: msgs[0]!.ts,
      recv_ts: msgs[0]!.recv_ts,
    });
    a.close();
    b.close();
  });

  it('the filtered stream carries only the asked symbols and venues', async () => {
    const c = await connectClient(h.url('/ws/v1/liquidation?symbols=eth-usdt&venues=okx-swap,bybit-linear'));
    const all = await connectClient(h.url(FEED));
    const msgs = Array.from({ length: 60 }, (_, i) => liq(i, 'filt'));
    await publishLiqs(h.pub, msgs);
    const expected = msgs.filter((m) => m.symbol === 'ETH-USDT' && (m.venue === 'okx-swap' || m.venue === 'bybit-linear')).map((m) => m.id);
    expect(expected.length).toBeGreaterThan(5);
    await waitForLiqs(all, 60);
    await waitForLiqs(c, expected.length);
    await sleep(100);
    expect(c.liqs().map((m) => m.id)).toEqual(expected);
    c.close();
    all.close();
  });

  it('answers PING with PONG and ignores every other client frame', async () => {
    const c = await connectClient(h.url(FEED));
    c.send('{"method":"PING"}');
    await waitFor(() => c.messages.some((m) => m['method'] === 'PONG'), { what: 'PONG' });
    for (const junk of ['not json', '{"method":"SUBSCRIBE","params":["x"]}', '[]', '{"method":"PING"', Buffer.from([0, 1, 2, 255]), '']) c.send(junk);
    await publishLiqs(h.pub, [liq(1, 'after-junk')]);
    await waitFor(() => c.liqs().some((m) => m.id === 'after-junk-1'), { what: 'liquidation after junk frames' });
    expect(c.messages.filter((m) => m['method'] === 'PONG')).toHaveLength(1);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    c.close();
  });

  it('closes a silent client after the idle timeout; any non-empty frame keeps one alive', async () => {
    const silent = await connectClient(h.url(FEED));
    const talker = await connectClient(h.url(FEED));
    const timer = setInterval(() => talker.send('hello'), 250);
    const closed = await silent.closed;
    expect(closed.code).toBe(CloseCode.IDLE_TIMEOUT);
    expect(closed.reason).toMatch(/idle timeout/);
    await sleep(600);
    expect(talker.ws.readyState).toBe(talker.ws.OPEN);
    clearInterval(timer);
    talker.close();
  });

  it('refuses a missing or unknown key with ERROR AUTH_FAILED and close 4100', async () => {
    for (const key of [undefined, 'wrong-key']) {
      const c = await connectClient(h.url(FEED), { key });
      const closed = await c.closed;
      expect(closed.code).toBe(CloseCode.AUTH_FAILED);
      expect(closed.reason).toMatch(/^AUTH_FAILED: /);
      expect(c.messages).toEqual([{ type: 'ERROR', payload: { code: 'AUTH_FAILED', message: expect.any(String) } }]);
      expect(JSON.stringify(c.messages)).not.toContain('wrong-key');
    }
    expect(await metricValue(h.registry, 'bookfuse_firehose_auth_failures_total')).toBe(2);
  });

  it('takes the key in every form the gateway takes: ?token=, Authorization: Bearer, X-API-KEY', async () => {
    const bearer = new WebSocket(h.url(FEED), { headers: { authorization: `Bearer ${API_KEY}` }, perMessageDeflate: false });
    const got: string[] = [];
    bearer.on('message', (d) => got.push(String(d)));
    const opened = new Promise<void>((resolve, reject) => {
      bearer.once('open', () => resolve());
      bearer.once('error', reject);
    });
    const header = await connectClient(h.url(FEED), { header: true });
    const token = await connectClient(h.url(FEED));
    await opened;
    await publishLiqs(h.pub, [liq(3, 'key-forms')]);
    await waitFor(() => got.some((m) => m.includes('key-forms-3')) && header.liqs().length > 0 && token.liqs().length > 0, { what: 'the liquidation on all three' });
    bearer.close();
    header.close();
    token.close();
  });

  it('tells a filtered client which names exist nowhere and filters on the rest', async () => {
    const c = await connectClient(h.url('/ws/v1/liquidation?symbols=BTCUSDT,ETH-USDT&venues=binance,okx-swap,bybit-linear'));
    await waitFor(() => c.messages.length >= 2, { what: 'two ERRORs' });
    expect(c.messages.slice(0, 2)).toEqual([
      { type: 'ERROR', payload: { code: 'UNKNOWN_SYMBOL', message: expect.stringMatching(/BTCUSDT/) } },
      { type: 'ERROR', payload: { code: 'UNKNOWN_VENUE', message: expect.stringMatching(/binance /) } },
    ]);
    const none = await connectClient(h.url('/ws/v1/liquidation?symbols=BTCUSDT'));
    expect((await none.closed).code).toBe(CloseCode.BAD_REQUEST);
    expect(none.messages[0]).toMatchObject({ type: 'ERROR', payload: { code: 'BAD_REQUEST', message: expect.stringMatching(/BTCUSDT/) } });
    // liq(n): venue rotates binance-usdm, bybit-linear, okx-swap; symbol BTC-USDT, ETH-USDT
    await publishLiqs(h.pub, [liq(1, 'named'), liq(4, 'named'), liq(5, 'named'), liq(7, 'named')]);
    await waitFor(() => c.liqs().length >= 3, { what: `the matching liquidations (got ${JSON.stringify(c.messages)})` });
    await sleep(100);
    expect(c.liqs().map((m) => m.id)).toEqual(['named-1', 'named-5', 'named-7']);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    c.close();
  });

  it('refuses a malformed request with close 4101 and an unknown path with HTTP 404', async () => {
    const bad = await connectClient(h.url(`${FEED}?after=abc`));
    expect((await bad.closed).code).toBe(CloseCode.BAD_REQUEST);
    expect(bad.messages[0]).toMatchObject({ type: 'ERROR', payload: { code: 'BAD_REQUEST' } });
    await expect(connectClient(h.url('/ws/v1/nope'))).rejects.toThrow(/404/);
  });

  it('serves /healthz, /readyz and /metrics on the same port', async () => {
    const base = `http://127.0.0.1:${h.firehose.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ ready: true });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    for (const name of ['bookfuse_firehose_connections', 'bookfuse_firehose_events_in_total', 'bookfuse_firehose_slow_consumers_dropped_total', 'bookfuse_firehose_publish_to_write_seconds_bucket', 'bookfuse_firehose_queue_depth_messages']) {
      expect(metrics).toContain(name);
    }
    // a handful of clients take a fraction of a millisecond to write at the write share
    const rotation = /^bookfuse_firehose_rotation_period_seconds(?:{[^}]*})? (\S+)$/m.exec(metrics);
    expect(Number(rotation?.[1])).toBeLessThan(0.005);
  });
});

describe('firehose: slow consumers', () => {
  it('drops a client whose write queue goes over its cap with close 4000 "slow consumer"; the others get everything', async () => {
    // the lag probe would catch it first (next test): here the caps alone must hold
    const h = await firehoseForTest({ FIREHOSE_QUEUE_MAX_MESSAGES: '4000', FIREHOSE_MAX_LAG_MS: '600000' });
    const healthy = await connectClient(h.url('/ws/v1/liquidation/feed'));
    const stalled = await connectClient(h.url('/ws/v1/liquidation/feed'));
    stalled.ws.pause();
    // enough to fill the kernel's socket buffers (several MB on loopback), then the queue cap
    const total = 30_000;
    for (let i = 0; i < total; i += 1000) {
      for (let k = 0; k < 1000; k++) publishFast(h.pub, liq(i + k, 'slow'));
      await h.pub.flush();
      // paced by the healthy reader (it shares this process with the firehose): the stalled one falls behind alone
      await waitForLiqs(healthy, i - 1000);
    }
    await waitForLiqs(healthy, total, 20_000);
    expect(healthy.liqs().map((m) => m.id)).toEqual(Array.from({ length: total }, (_, i) => `slow-${i}`));
    // waitFor takes 0 as an answer: ask for a drop, not for the count
    await waitFor(async () => (await metricValue(h.registry, 'bookfuse_firehose_slow_consumers_dropped_total')) > 0, { what: 'a slow-consumer drop' });
    stalled.ws.resume();
    const closed = await stalled.closed;
    expect(closed.code).toBe(CloseCode.SLOW_CONSUMER);
    expect(closed.reason).toMatch(/^slow consumer: write queue over its (message|byte) cap$/);
    expect(stalled.liqs().length).toBeLessThan(total);
    // what it did get before the drop is an exact prefix
    expect(stalled.liqs().map((m) => m.id)).toEqual(Array.from({ length: stalled.liqs().length }, (_, i) => `slow-${i}`));
  });
  it('drops a client that stops reading within FIREHOSE_MAX_LAG_MS, long before its kernel buffers and caps fill', async () => {
    const h = await firehoseForTest({ FIREHOSE_MAX_LAG_MS: '1000' });
    const healthy = await connectClient(h.url('/ws/v1/liquidation/feed'));
    const stalled = await connectClient(h.url('/ws/v1/liquidation/feed'));
    stalled.ws.pause();
    const started = Date.now();
    // a trickle: a few kB a second is nowhere near the megabytes a stalled loopback socket absorbs
    let sent = 0;
    while ((await metricValue(h.registry, 'bookfuse_firehose_slow_consumers_dropped_total', { reason: 'lag' })) === 0) {
      expect(Date.now() - started).toBeLessThan(5_000);
      publishFast(h.pub, liq(sent++, 'lag'));
      await sleep(50);
    }
    // probed with its first data, unanswered for 1 s, seen by the next sweep (≤ 0.5 s later)
    expect(Date.now() - started).toBeLessThan(3_000);
    await waitForLiqs(healthy, sent);
    expect(healthy.ws.readyState).toBe(healthy.ws.OPEN);
    expect(await metricValue(h.registry, 'bookfuse_firehose_slow_consumers_dropped_total')).toBe(1);
    // the reading client answered its probe: its lag was measured
    const lag = await h.registry.getSingleMetric('bookfuse_firehose_client_lag_seconds')?.get();
    expect(lag?.values.find((v) => (v as { metricName?: string }).metricName?.endsWith('_count'))?.value).toBeGreaterThanOrEqual(1);
    stalled.ws.resume();
    expect(await stalled.closed).toEqual({ code: CloseCode.SLOW_CONSUMER, reason: 'slow consumer: more than 1000 ms behind (no answer to a ping)' });
  });

  it('drops a client that stops reading mid-stream for lag once its socket has filled, before its caps would', async () => {
    const h = await firehoseForTest({ FIREHOSE_MAX_LAG_MS: '1000' });
    const c = await connectClient(h.url('/ws/v1/liquidation/feed'));
    const tag = `mid-${'y'.repeat(400)}`;
    publishFast(h.pub, liq(0, tag));
    await waitForLiqs(c, 1);
    // its first probe was answered; now it stops reading, and ~6 MB follow (under the 8 MB cap)
    await sleep(200);
    c.ws.pause();
    for (let i = 1; i <= 12_000; i++) {
      publishFast(h.pub, liq(i, tag));
      if (i % 1000 === 0) await h.pub.flush();
    }
    await waitFor(async () => (await metricValue(h.registry, 'bookfuse_firehose_slow_consumers_dropped_total', { reason: 'lag' })) > 0, { timeoutMs: 10_000, what: 'a drop for lag' });
    expect(await metricValue(h.registry, 'bookfuse_firehose_slow_consumers_dropped_total')).toBe(1);
    c.ws.resume();
    expect((await c.closed).reason).toBe('slow consumer: more than 1000 ms behind (no answer to a ping)');
  });
});

describe('firehose: replay with ?after=', () => {
  it('replays after=k then goes live: exactly k+1..end once, in order, while publishing goes on', async () => {
    const h = await firehoseForTest();
    const first = await publishLiqs(h.pub, Array.from({ length: 2_000 }, (_, i) => liq(i, 'seam')));
    const k = first[299]!;
    let more = 0;
    const publisher = (async () => {
      for (; more < 1_500; more += 50) await publishLiqs(h.pub, Array.from({ length: 50 }, (_, i) => liq(2_000 + more + i, 'seam')));
    })();
    const c = await connectClient(h.url(`/ws/v1/liquidation/feed?after=${k}`));
    await publisher;
    await waitForLiqs(c, 3_500 - 300);
    await sleep(200);
    const got = c.liqs();
    expect(got.map((m) => m.id)).toEqual(Array.from({ length: 3_200 }, (_, i) => `seam-${300 + i}`));
    expect(got.map((m) => m.seq)).toEqual(Array.from({ length: 3_200 }, (_, i) => k + 1 + i));
    expect(c.messages.filter((m) => m['type'] !== undefined)).toEqual([]);
    expect(await metricValue(h.registry, 'bookfuse_firehose_replay_requests_total', { result: 'ok' })).toBe(1);
    c.close();
  });

  it('after the last seq joins live without a replay; filtered replays filter', async () => {
    const h = await firehoseForTest();
    const seqs = await publishLiqs(h.pub, Array.from({ length: 30 }, (_, i) => liq(i, 'tail')));
    const live = await connectClient(h.url(`/ws/v1/liquidation/feed?after=${seqs[29]}`));
    const filtered = await connectClient(h.url(`/ws/v1/liquidation?symbols=BTC-USDT&after=${seqs[9]}`));
    await publishLiqs(h.pub, [liq(30, 'tail'), liq(32, 'tail')]);
    await waitForLiqs(live, 2);
    await waitFor(() => filtered.liqs().some((m) => m.id === 'tail-32'), { what: 'live event on the filtered replay' });
    expect(live.liqs().map((m) => m.id)).toEqual(['tail-30', 'tail-32']);
    expect(filtered.liqs().map((m) => m.id)).toEqual([...Array.from({ length: 10 }, (_, i) => `tail-${10 + 2 * i}`), 'tail-30', 'tail-32']);
    live.close();
    filtered.close();
  });

  it('an after older than the retention, or ahead of the log, gets ERROR REPLAY_UNAVAILABLE then close', async () => {
    const h = await firehoseForTest();
    const seqs = await publishLiqs(h.pub, Array.from({ length: 50 }, (_, i) => liq(i, 'old')));
    const jsm = await h.pub.jetstreamManager();
    await jsm.streams.purge(LIQ_STREAM, { keep: 10 });
    const old = await connectClient(h.url(`/ws/v1/liquidation/feed?after=${seqs[5]}`));
    const closed = await old.closed;
    expect(closed.code).toBe(CloseCode.BAD_REQUEST);
    expect(old.messages).toEqual([{ type: 'ERROR', payload: { code: 'REPLAY_UNAVAILABLE', message: `seq ${seqs[6]} is older than the log's retention: the oldest seq kept is ${seqs[40]}` } }]);
    const ahead = await connectClient(h.url(`/ws/v1/liquidation/feed?after=${seqs[49]! + 100}`));
    expect((await ahead.closed).code).toBe(CloseCode.BAD_REQUEST);
    expect(ahead.messages[0]).toMatchObject({ type: 'ERROR', payload: { code: 'REPLAY_UNAVAILABLE', message: expect.stringMatching(/ahead of the log/) } });
    // the oldest kept seq itself is still replayable
    const edge = await connectClient(h.url(`/ws/v1/liquidation/feed?after=${seqs[39]}`));
    await waitForLiqs(edge, 10);
    expect(edge.liqs().map((m) => m.id)).toEqual(Array.from({ length: 10 }, (_, i) => `old-${40 + i}`));
    edge.close();
  });
});

describe('firehose: gaps and resilience', () => {
  it('tells clients of seqs the log lost (GAP) instead of skipping them silently', async () => {
    const h = await firehoseForTest();
    const seqs = await publishLiqs(h.pub, Array.from({ length: 20 }, (_, i) => liq(i, 'gap')));
    const jsm = await h.pub.jetstreamManager();
    for (const i of [5, 6, 7]) await jsm.streams.deleteMessage(LIQ_STREAM, seqs[i]!);
    const c = await connectClient(h.url(`/ws/v1/liquidation/feed?after=${seqs[0]}`));
    // live: an entry that is not a liquidation is announced, not sent
    h.pub.publish(subjects.consensusLiq(), new TextEncoder().encode('{"not":"a liquidation"}'));
    await publishLiqs(h.pub, [liq(20, 'gap')]);
    await waitFor(() => c.liqs().some((m) => m.id === 'gap-20'), { what: 'the event after the bad entry' });
    const bad = seqs[19]! + 1;
    expect(c.messages.filter((m) => m['type'] === 'GAP')).toEqual([
      { type: 'GAP', from_seq: seqs[5], to_seq: seqs[7], reason: 'missing' },
      { type: 'GAP', from_seq: bad, to_seq: bad, reason: 'bad_message' },
    ]);
    expect(c.liqs().map((m) => m.id)).toEqual([1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20].map((i) => `gap-${i}`));
    expect(await metricValue(h.registry, 'bookfuse_firehose_bad_events_total')).toBe(1);
    c.close();
  });

  it('survives a NATS restart and carries on from the next seq, no loss, no duplicate', async () => {
    const h = await firehoseForTest();
    const c = await connectClient(h.url('/ws/v1/liquidation/feed'));
    await publishLiqs(h.pub, Array.from({ length: 10 }, (_, i) => liq(i, 'rs')));
    await waitForLiqs(c, 10);
    await h.nats.restart();
    await waitFor(async () => (await fetch(`http://127.0.0.1:${h.firehose.port}/readyz`)).status === 200, { timeoutMs: 20_000, what: 'ready again' });
    await waitFor(
      async () => {
        await publishLiqs(h.pub, [liq(10, 'rs')]);
        return true;
      },
      { timeoutMs: 20_000, what: 'a publish after the restart' },
    );
    await publishLiqs(h.pub, Array.from({ length: 9 }, (_, i) => liq(11 + i, 'rs')));
    await waitForLiqs(c, 20, 20_000);
    await sleep(200);
    expect(c.liqs().map((m) => m.id)).toEqual(Array.from({ length: 20 }, (_, i) => `rs-${i}`));
    expect(c.messages.filter((m) => m['type'] !== undefined)).toEqual([]);
    c.close();
  });

  it('announces a recreated stream (GAP stream_reset) and follows the new log', async () => {
    const h = await firehoseForTest();
    const c = await connectClient(h.url('/ws/v1/liquidation/feed'));
    const seqs = await publishLiqs(h.pub, Array.from({ length: 5 }, (_, i) => liq(i, 'old-log')));
    await waitForLiqs(c, 5);
    const jsm = await h.pub.jetstreamManager();
    await jsm.streams.delete(LIQ_STREAM);
    await waitFor(() => c.messages.some((m) => m['type'] === 'GAP'), { timeoutMs: 20_000, what: 'GAP stream_reset' });
    expect(c.messages.find((m) => m['type'] === 'GAP')).toEqual({ type: 'GAP', from_seq: seqs[4]! + 1, to_seq: null, reason: 'stream_reset' });
    await publishLiqs(h.pub, [liq(0, 'new-log')]);
    await waitFor(() => c.liqs().some((m) => m.id === 'new-log-0'), { what: 'an event from the new log' });
    expect(c.liqs().at(-1)).toMatchObject({ id: 'new-log-0', seq: 1 });
    c.close();
  });
});
