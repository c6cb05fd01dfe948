/**
 * Venue selection (#16.1) on real sockets and real NATS: `venues=` on /ws, in SUBSCRIBE and on
 * REST gives the consensus over only those venues, every total the exact sum of the selected
 * venues' sizes that count, echoed in HANDSHAKE and SUBSCRIBED, shared by clients with the same set.
 */
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { BookfuseClient, LocalBook, type WebSocketLike } from '../../libs/client/index.js';
import { Decimal, decString, type ConsensusLevel } from '../../libs/core/index.js';
import { waitFor } from '../helpers/waits.js';
import { useHarness, type TestClient } from './gateway-harness.js';

const rig = useHarness();
const client = (query: string) => rig.client(`/ws?${query}`);

/** The subset the publisher's book implies: selected venues that count, exact sums, zero levels gone. */
function expectedSubset(selected: string[], depth: number, notCounting: string[] = []): { bids: ConsensusLevel[]; asks: ConsensusLevel[] } {
  const top = rig.h.btc.top(1000);
  const side = (ls: ConsensusLevel[]) =>
    ls
      .map(([p, , per]): ConsensusLevel => {
        const shown = Object.fromEntries(Object.entries(per).filter(([v]) => selected.includes(v)));
        const total = Object.entries(shown).filter(([v]) => !notCounting.includes(v)).reduce((s, [, q]) => s.plus(q), new Decimal(0));
        return [p, decString(total), shown];
      })
      .filter((l) => l[1] !== '0')
      .slice(0, depth);
  return { bids: side(top.bids), asks: side(top.asks) };
}

function rebuild(c: TestClient): LocalBook {
  const book = new LocalBook('BTC-USD');
  for (const m of c.messages) {
    if (m.type === 'SNAPSHOT' && m.payload.symbol === 'BTC-USD') book.applySnapshot(m.payload);
    if (m.type === 'BOOK' && m.payload.symbol === 'BTC-USD') expect(book.applyDelta(m.payload)).toBe('applied');
  }
  return book;
}

const triples = (b: LocalBook) => ({ bids: b.bids.map((l) => [l.price, l.total, l.venues]), asks: b.asks.map((l) => [l.price, l.total, l.venues]) });

describe('venue selection', () => {
  it('echoes the set in HANDSHAKE and streams the exact subset book, shared by clients with the same set', async () => {
    const a = client('token=demo&symbols=BTC-USD&depth=10&detail=venues&venues=okx-swap,binance-usdm');
    const b = client('token=demo&symbols=BTC-USD&depth=10&detail=venues&venues=binance-usdm,okx-swap');
    const snap = await a.next('SNAPSHOT');
    await b.next('SNAPSHOT');
    const hs = a.messages[0]!;
    expect(hs.type === 'HANDSHAKE' && hs.payload.venues).toEqual(['binance-usdm', 'okx-swap']);
    expect({ bids: snap.payload.bids, asks: snap.payload.asks }).toEqual(expectedSubset(['binance-usdm', 'okx-swap'], 10));
    for (let i = 0; i < 300; i++) {
      rig.h.btc.randomStep(4);
      rig.h.btc.publishDelta();
    }
    const want = expectedSubset(['binance-usdm', 'okx-swap'], 10);
    await waitFor(() => JSON.stringify(triples(rebuild(a))) === JSON.stringify(want), { what: 'the subset client book to equal the expected subset' });
    const book = rebuild(a);
    for (const l of [...book.bids, ...book.asks]) {
      expect(Object.keys(l.venues).every((v) => v === 'binance-usdm' || v === 'okx-swap')).toBe(true);
      expect(decString(Object.values(l.venues).reduce((s, q) => s.plus(q), new Decimal(0)))).toBe(l.total);
    }
    // one derived stream, one frame: both clients got byte-identical deltas
    await waitFor(() => b.of('BOOK').length === a.of('BOOK').length, { what: 'b to get as many BOOKs as a' });
    expect(b.of('BOOK')).toEqual(a.of('BOOK'));
    expect(a.of('BOOK').length).toBeGreaterThan(10);
  });

  it('with every venue selected equals the full book; a venue that stops counting leaves the subset totals', async () => {
    const all = client('token=demo&symbols=BTC-USD&depth=20&detail=venues&venues=binance-usdm,bybit-linear,okx-swap');
    const full = client('token=demo&symbols=BTC-USD&depth=20&detail=venues');
    const sub = client('token=demo&symbols=BTC-USD&depth=20&detail=venues&venues=bybit-linear,okx-swap');
    await all.next('SNAPSHOT');
    await full.next('SNAPSHOT');
    await sub.next('SNAPSHOT');
    for (let i = 0; i < 50; i++) {
      rig.h.btc.randomStep(4);
      rig.h.btc.publishDelta();
    }
    await waitFor(() => JSON.stringify(triples(rebuild(all))) === JSON.stringify(triples(rebuild(full))) && rebuild(full).bids.length === 20, { what: 'all-venue subset = full book' });
    rig.h.btc.setVenue('okx-swap', { member: false, stale: true, state: 'stale' });
    rig.h.btc.publishDelta();
    const want = expectedSubset(['bybit-linear', 'okx-swap'], 20, ['okx-swap']);
    await waitFor(() => JSON.stringify(triples(rebuild(sub))) === JSON.stringify(want), { what: 'okx-swap sizes to leave the subset totals' });
    rig.h.btc.setVenue('okx-swap', { member: true, stale: false, state: 'live' });
    rig.h.btc.publishDelta();
    const back = expectedSubset(['bybit-linear', 'okx-swap'], 20);
    await waitFor(() => JSON.stringify(triples(rebuild(sub))) === JSON.stringify(back), { what: 'okx-swap sizes to count again' });
  });

  it('SUBSCRIBE changes the venue set (null = every venue) and SUBSCRIBED echoes it', async () => {
    const c = client('token=demo&symbols=BTC-USD&depth=5&detail=venues');
    await c.next('SNAPSHOT');
    c.send({ type: 'SUBSCRIBE', payload: { symbols: ['BTC-USD'], venues: ['bybit-linear'] } });
    const s = await c.next('SUBSCRIBED');
    expect(s.payload).toEqual({ symbols: ['BTC-USD'], depth: 5, venues: ['bybit-linear'], events: ['BOOK', 'TRADE', 'ALERT'] });
    await waitFor(() => c.of('SNAPSHOT').length === 2, { what: 'the SNAPSHOT of the new set' });
    expect({ bids: c.of('SNAPSHOT')[1]!.payload.bids, asks: c.of('SNAPSHOT')[1]!.payload.asks }).toEqual(expectedSubset(['bybit-linear'], 5));
    c.send({ type: 'SUBSCRIBE', payload: { symbols: ['BTC-USD'], venues: null } });
    await waitFor(() => c.of('SUBSCRIBED').length === 2 && c.of('SNAPSHOT').length === 3, { what: 'back to every venue' });
    expect(c.of('SUBSCRIBED')[1]!.payload.venues).toBeNull();
    expect(c.of('SNAPSHOT')[2]!.payload.bids).toEqual(rig.h.btc.top(5).bids);
  });

  it('refuses unknown venue names with BAD_REQUEST naming them (URL: close 4101; SUBSCRIBE: the connection stays)', async () => {
    const bad = client('token=demo&symbols=BTC-USD&venues=binance-usdm,nope-venue');
    const err = await bad.next('ERROR');
    expect(err.payload.code).toBe('BAD_REQUEST');
    expect(err.payload.message).toContain('"nope-venue"');
    expect((await bad.waitClosed()).code).toBe(4101);
    const c = client('token=demo&symbols=BTC-USD');
    await c.next('SNAPSHOT');
    c.send({ type: 'SUBSCRIBE', payload: { symbols: ['BTC-USD'], venues: ['okx-swap', 'kraken'] } });
    const e2 = await c.next('ERROR');
    expect(e2.payload).toMatchObject({ code: 'BAD_REQUEST' });
    expect(e2.payload.message).toContain('"kraken"');
    c.send({ type: 'SUBSCRIBE', payload: { symbols: ['BTC-USD'], venues: [] } });
    await waitFor(() => c.of('ERROR').length === 2, { what: 'an ERROR for an empty set' });
    expect(c.closed).toBeUndefined();
  });

  it('REST /v1/books/:symbol?venues= serves the same subset; an unknown venue is 400', async () => {
    const r = await fetch(`${rig.h.httpUrl}/v1/books/BTC-USD?depth=7&venues=okx-swap,bybit-linear&token=demo`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { venue_set: string[]; bids: ConsensusLevel[]; asks: ConsensusLevel[] };
    expect(body.venue_set).toEqual(['bybit-linear', 'okx-swap']);
    expect({ bids: body.bids, asks: body.asks }).toEqual(expectedSubset(['bybit-linear', 'okx-swap'], 7));
    const bad = await fetch(`${rig.h.httpUrl}/v1/books/BTC-USD?venues=nope&token=demo`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('"nope"');
  });

  it('libs/client: `venues` on connect and setVenues() keep the local book equal to the subset', async () => {
    const c = new BookfuseClient({ url: rig.h.wsUrl, apiKey: 'demo', symbols: ['BTC-USD'], depth: 8, detail: 'venues', venues: ['okx-swap'], webSocket: (url) => new WebSocket(url) as unknown as WebSocketLike });
    const equal = (want: { bids: ConsensusLevel[]; asks: ConsensusLevel[] }) => {
      const b = c.books.get('BTC-USD');
      return !!b?.synced && JSON.stringify(triples(b)) === JSON.stringify(want);
    };
    c.start();
    try {
      await waitFor(() => c.handshake?.venues?.[0] === 'okx-swap' && equal(expectedSubset(['okx-swap'], 8)), { what: 'the okx-swap-only book' });
      c.setVenues(['binance-usdm', 'bybit-linear']);
      for (let i = 0; i < 30; i++) {
        rig.h.btc.randomStep(3);
        rig.h.btc.publishDelta();
      }
      await waitFor(() => equal(expectedSubset(['binance-usdm', 'bybit-linear'], 8)), { what: 'the book over the new set' });
      expect(c.venues).toEqual(['binance-usdm', 'bybit-linear']);
    } finally {
      c.stop();
    }
  });
});
