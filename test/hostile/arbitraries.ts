/**
 * fast-check arbitraries for hostile HTTP requests and client frames: targets built from the
 * pieces that trip parsers (escapes good and bad, `//`, dot segments, absolute-form, our real
 * routes), header sets with odd names, values and key spellings, and client frames from valid
 * messages to garbage.
 */
import fc from 'fast-check';

const ROUTES = ['/ws', '/ws/', '/ws/demo/BTC-USD', '/ws/nope/NOPE-USD', '/v1/books/BTC-USD', '/v1/venues', '/ws/v1/liquidation/feed', '/ws/v1/liquidation', '/healthz', '/readyz', '/metrics', '/binance-usdm/ws', '/truth/binance-usdm/BTC-USDT', '/control', '/client/client.js', '/static/widget.js', '/'];
const PIECES = ['/', '//', '.', '..', '%', '%2', '%2F', '%2f', '%ZZ', '%00', '%C0%AF', '%E2%82', '%76', '%31', '%2e%2e', '?', '&', '=', '#', ':', '@', ';', '\\', '*', 'ws', 'v1', 'books', 'venues', 'BTC-USD', 'demo', 'token=', 'token=demo', 'symbols=BTC-USD', 'depth=', 'depth=-1', 'mode=x', 'after=9999999999999999', 'symbols=%ZZ', 'x'.repeat(300), '😀', 'é'];
const ABSOLUTE = ['', '', '', 'http://x', 'HTTP://x:99999', 'http://[::1]', 'ws://a@b', '//x:99999', 'http://', 'a:'];

/** A request target: a real route or nothing, mangled by a few hostile pieces, maybe absolute-form. */
export const targetArb: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...ABSOLUTE), fc.constantFrom(...ROUTES, ''), fc.array(fc.constantFrom(...PIECES), { maxLength: 6 }), fc.array(fc.constantFrom(...PIECES), { maxLength: 4 }), fc.boolean())
  .map(([abs, route, mid, tail, pieceFirst]) => {
    const body = pieceFirst ? mid.join('') + route + tail.join('') : route + mid.join('') + tail.join('');
    return abs + body;
  })
  // a request line cannot hold spaces or line breaks; the escapes above carry the odd bytes
  .filter((t) => t.length > 0 && !/[\s]/.test(t));

const headerName = fc.constantFrom('X-API-KEY', 'x-api-key', 'Authorization', 'Origin', 'Sec-WebSocket-Protocol', 'Sec-WebSocket-Extensions', 'X-Forwarded-For', 'Cookie', 'Content-Length', 'Transfer-Encoding', 'X-Odd');
const headerValue = fc.oneof(
  fc.constantFrom('demo', 'Bearer demo', 'Bearer', 'bearer  nope', 'nope', '', ' ', 'null', 'chunked', '-1', '99999999999', 'permessage-deflate; client_max_window_bits', ',,,', 'https://evil.example', '%ZZ'),
  fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, '')),
  fc.constant('k'.repeat(9000)),
);
/** Extra headers; a valid key never appears, so keyed routes must refuse every request. */
export const headersArb: fc.Arbitrary<Record<string, string>> = fc.dictionary(headerName, headerValue, { maxKeys: 4 }).map((h) => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    const lower = k.toLowerCase();
    // keep keys invalid: the suite checks that nothing keyed answers 2xx without one
    out[k] = (lower === 'x-api-key' || lower === 'authorization') && /demo\s*$/.test(v) ? `${v}-not` : v;
  }
  return out;
});

export interface HostileRequest {
  method: string;
  target: string;
  upgrade: boolean;
  headers: Record<string, string>;
}

export const requestArb: fc.Arbitrary<HostileRequest> = fc.record({
  method: fc.constantFrom('GET', 'GET', 'GET', 'HEAD', 'POST', 'OPTIONS', 'PUT', 'DELETE', 'PATCH', 'BREW'),
  target: targetArb.map((t) => t.replace(/token=demo/g, 'token=demo-not')),
  upgrade: fc.boolean(),
  headers: headersArb,
});

/** What a client may send on an open WebSocket: protocol messages good and bad, and garbage. */
export const clientFrameArb: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.constantFrom(
    '{"type":"PONG"}',
    '{"method":"PING"}',
    '{"type":"SUBSCRIBE","payload":{"symbols":["ETH-USD"],"depth":5}}',
    '{"type":"UNSUBSCRIBE","payload":{"symbols":["ETH-USD"]}}',
    '{"type":"RESYNC","payload":{"symbol":"BTC-USD"}}',
    '{"type":"SUBSCRIBE","payload":{"symbols":"BTC-USD"}}',
    '{"type":"SUBSCRIBE","payload":{"symbols":[1,null,{}],"depth":-4}}',
    '{"type":"RESYNC","payload":{"symbol":"NOPE-USD"}}',
    '{"type":"__proto__","payload":{"__proto__":{"x":1}}}',
    '[]',
    'null',
    '',
    '{',
  ),
  fc.json({ maxDepth: 3 }),
  fc.record({ type: fc.constantFrom('SUBSCRIBE', 'UNSUBSCRIBE', 'RESYNC', 'PONG', 'PING', 'x'), payload: fc.anything({ maxDepth: 2 }) }).map((m) => {
    try {
      return JSON.stringify(m) ?? 'null';
    } catch {
      return '{}';
    }
  }),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.constant('x'.repeat(5000)),
);
