import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RestClient } from '../../../libs/venues/rest.js';

/** A real HTTP server on port 0 that answers 429 once, then 200. */
async function venue(firstStatus: number) {
  let calls = 0;
  const times: number[] = [];
  const srv = createServer((_req, res) => {
    calls++;
    times.push(Date.now());
    if (calls === 1 && firstStatus !== 200) {
      res.writeHead(firstStatus, { 'retry-after': '1' });
      return res.end('{"code":-1003}');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, times, close: () => srv.close() };
}

describe('REST weight budget', () => {
  it('a 429 pauses every caller of the venue for Retry-After, not just the one that got it', async () => {
    const v = await venue(429);
    const rest = new RestClient({ baseUrl: v.url, weightPerMinute: 6000 });
    await expect(rest.request({ method: 'GET', path: '/a', weight: 1 })).rejects.toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    const t = Date.now();
    await rest.request({ method: 'GET', path: '/b', weight: 1 });
    expect(Date.now() - t).toBeGreaterThanOrEqual(900);
    v.close();
  });

  it('a 418 (IP ban) is its own error code', async () => {
    const v = await venue(418);
    const rest = new RestClient({ baseUrl: v.url, weightPerMinute: 6000 });
    await expect(rest.request({ method: 'GET', path: '/a', weight: 1 })).rejects.toMatchObject({ code: 'IP_BANNED' });
    v.close();
  });

  it('spreads requests so the weight per minute is never exceeded', async () => {
    const v = await venue(200);
    // 120 weight/min at a 50 % share = 60/min = 1 per second after the initial burst of 60
    const rest = new RestClient({ baseUrl: v.url, weightPerMinute: 120 });
    const t = Date.now();
    await Promise.all([rest.request({ method: 'GET', path: '/x', weight: 59 }), rest.request({ method: 'GET', path: '/y', weight: 2 })]);
    // the second request needed 1 more unit than was left: it waited about a second for it
    expect(Date.now() - t).toBeGreaterThanOrEqual(900);
    expect(v.times.length).toBe(2);
    v.close();
  });
});
