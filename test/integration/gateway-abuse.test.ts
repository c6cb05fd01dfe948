/**
 * Refusals and abuse on real sockets: every refusal is an ERROR with a code and then the
 * documented close; repeated bad input closes the offender while other clients keep receiving.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from '../../libs/ws/index.js';
import { waitFor } from '../helpers/waits.js';
import { useHarness } from './gateway-harness.js';

const rig = useHarness({
  GATEWAY_MAX_CONNECTIONS_PER_KEY: '3',
  GATEWAY_ALLOWED_ORIGINS: 'https://widgets.example',
  GATEWAY_MAX_STRIKES: '4',
  GATEWAY_RATE_PER_S: '20',
  GATEWAY_RATE_BURST: '10',
  GATEWAY_HEARTBEAT_MS: '150',
  GATEWAY_PONG_TIMEOUT_MS: '100',
});
const client = rig.client;

// the per-key limit is 3: each test starts with no connection open
afterEach(async () => {
  rig.closeClients();
  await waitFor(() => rig.h.gw.hub.conns.size === 0, { what: 'the gateway to see every client gone' });
});

describe('authentication and admission', () => {
  it.each([
    ['no key', '/ws?symbols=BTC-USD', {}],
    ['a wrong key', '/ws?token=nope&symbols=BTC-USD', {}],
    ['a wrong bearer key', '/ws?symbols=BTC-USD', { authorization: 'Bearer nope' }],
    ['a wrong path key', '/ws/nope/BTC-USD', {}],
  ])('refuses %s with ERROR AUTH_FAILED then close 4100', async (_what, path, headers) => {
    const c = client(path, headers as Record<string, string>);
    const closed = await c.waitClosed();
    expect(c.messages).toEqual([{ type: 'ERROR', payload: { code: 'AUTH_FAILED', message: 'missing or unknown API key' } }]);
    expect(closed).toEqual({ code: CloseCode.AUTH_FAILED, reason: 'AUTH_FAILED' });
  });

  it('accepts the key as ?token, Authorization: Bearer and X-API-KEY', async () => {
    const a = client('/ws?token=second-key&symbols=BTC-USD');
    const b = client('/ws?symbols=BTC-USD', { authorization: 'Bearer second-key' });
    const c = client('/ws?symbols=BTC-USD', { 'x-api-key': 'second-key' });
    for (const x of [a, b, c]) await x.next('SNAPSHOT');
    // that key now holds its 3 connections: a fourth is refused, another key is not affected
    const d = client('/ws?token=second-key&symbols=BTC-USD');
    expect(await d.waitClosed()).toEqual({ code: CloseCode.TOO_MANY_CONNECTIONS, reason: 'TOO_MANY_CONNECTIONS' });
    expect(d.of('ERROR')[0]!.payload.code).toBe('TOO_MANY_CONNECTIONS');
    const e = client('/ws?token=demo&symbols=BTC-USD');
    await e.next('SNAPSHOT');
    a.close();
    await a.waitClosed();
    const f = client('/ws?token=second-key&symbols=BTC-USD');
    await f.next('SNAPSHOT');
    for (const x of [b, c, e, f]) x.close();
  });

  it('refuses an Origin not on the allowed list (4103), an unknown symbol (4101) and a bad depth (4101)', async () => {
    const o = client('/ws?token=demo&symbols=BTC-USD', { origin: 'https://evil.example' });
    expect(await o.waitClosed()).toEqual({ code: CloseCode.ORIGIN_NOT_ALLOWED, reason: 'ORIGIN_NOT_ALLOWED' });
    const ok = client('/ws?token=demo&symbols=BTC-USD', { origin: 'https://widgets.example' });
    await ok.next('SNAPSHOT');
    ok.close();
    const u = client('/ws?token=demo&symbols=BTC-USD,NOPE-USD');
    expect(await u.waitClosed()).toEqual({ code: CloseCode.BAD_REQUEST, reason: 'UNKNOWN_SYMBOL' });
    expect(u.of('ERROR')[0]!.payload).toEqual({ code: 'UNKNOWN_SYMBOL', message: 'no consensus symbol NOPE-USD' });
    const d = client('/ws?token=demo&symbols=BTC-USD&depth=-1');
    expect((await d.waitClosed()).code).toBe(CloseCode.BAD_REQUEST);
  });

  it('answers 404 to an upgrade on an unknown path', async () => {
    const c = client('/nowhere?token=demo');
    await expect(c.opened).rejects.toThrow(/404/);
  });
});

describe('bad input', () => {
  it('answers every bad message of a burst read at once, then closes with POLICY_VIOLATION', async () => {
    const [bad] = await rig.synced('/ws?token=demo&symbols=BTC-USD');
    // five bad frames (GATEWAY_MAX_STRIKES is 4 here) in one TCP write, so the gateway reads and
    // handles them in one task: the ERRORs of the first four wait for the end of that task when
    // the fifth closes the connection
    const socket = (bad.ws as unknown as { _socket: Socket })._socket;
    socket.cork();
    for (let i = 0; i < 5; i++) bad.send(`not json ${i}`);
    socket.uncork();
    const closed = await bad.waitClosed();
    expect(closed).toEqual({ code: CloseCode.POLICY_VIOLATION, reason: 'POLICY_VIOLATION' });
    expect(bad.of('ERROR').map((e) => e.payload.code)).toEqual([...Array<string>(4).fill('BAD_REQUEST'), 'POLICY_VIOLATION']);
  });

  it('answers not-JSON, unknown types, oversized frames and unknown symbols with ERROR, closes on repetition, and keeps serving others', async () => {
    const [good, bad] = await rig.synced('/ws?token=demo&symbols=BTC-USD&depth=5', '/ws?token=demo&symbols=BTC-USD');
    bad.send('this is not json');
    expect((await bad.next('ERROR')).payload).toEqual({ code: 'BAD_REQUEST', message: 'message is not JSON' });
    bad.send({ type: 'HELLO' });
    await waitFor(() => bad.of('ERROR').length === 2);
    expect(bad.of('ERROR')[1]!.payload.message).toMatch(/unknown message type "HELLO"/);
    bad.send({ type: 'SUBSCRIBE', payload: { symbols: ['NOPE-USD'] } });
    await waitFor(() => bad.of('ERROR').length === 3);
    expect(bad.of('ERROR')[2]!.payload.code).toBe('UNKNOWN_SYMBOL');
    bad.send(JSON.stringify({ type: 'SUBSCRIBE', payload: { symbols: ['BTC-USD'], pad: 'x'.repeat(5000) } }));
    await waitFor(() => bad.of('ERROR').length === 4);
    expect(bad.of('ERROR')[3]!.payload.message).toMatch(/exceeds 4096/);
    bad.send('{');
    const closed = await bad.waitClosed();
    expect(closed).toEqual({ code: CloseCode.POLICY_VIOLATION, reason: 'POLICY_VIOLATION' });
    expect(bad.of('ERROR').at(-1)!.payload.code).toBe('POLICY_VIOLATION');
    // the well-behaved client never noticed
    rig.h.btc.randomStep(3);
    rig.h.btc.publishDelta();
    await good.next('BOOK');
    expect(good.closed).toBeUndefined();
  });

  it('closes at once (1009) on a frame above the hard cap', async () => {
    const c = client('/ws?token=demo&symbols=BTC-USD');
    await c.next('SNAPSHOT');
    c.send('x'.repeat(70_000));
    expect((await c.waitClosed()).code).toBe(1009);
  });

  it('rate-limits a flood with one RATE_LIMITED error, then closes it with 4004', async () => {
    const [good, flood] = await rig.synced('/ws?token=demo&symbols=BTC-USD', '/ws?token=demo&symbols=BTC-USD');
    for (let i = 0; i < 200; i++) flood.send({ type: 'PONG' });
    const closed = await flood.waitClosed();
    expect(closed).toEqual({ code: CloseCode.RATE_LIMITED, reason: 'RATE_LIMITED' });
    const errors = flood.of('ERROR').map((e) => e.payload.code);
    expect(errors[0]).toBe('RATE_LIMITED');
    expect(errors.length).toBeLessThanOrEqual(2);
    rig.h.btc.randomStep(3);
    rig.h.btc.publishDelta();
    await good.next('BOOK');
  });
});

describe('heartbeats', () => {
  it('PINGs every heartbeat and closes with 4001 after 3 missed PONGs; a ponging client stays', async () => {
    const alive = client('/ws?token=demo&symbols=ETH-USD');
    const silent = client('/ws?token=demo&symbols=ETH-USD');
    silent.autoPong = false;
    await alive.next('SNAPSHOT');
    await silent.next('SNAPSHOT');
    const closed = await silent.waitClosed(5000);
    expect(closed).toEqual({ code: CloseCode.HEARTBEAT_TIMEOUT, reason: 'HEARTBEAT_TIMEOUT' });
    expect(silent.of('PING').length).toBeGreaterThanOrEqual(3);
    expect(alive.closed).toBeUndefined();
    expect(alive.of('PING').length).toBeGreaterThanOrEqual(3);
  });
});
