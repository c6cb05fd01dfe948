/**
 * Fair limits (issue 13 item 7): the connections one address holds with a shared key are capped
 * below the key's own cap, so that address cannot lock the key's other holders out; a key may
 * carry its own caps.
 */
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode } from '../../libs/ws/index.js';
import { waitFor } from '../helpers/waits.js';
import { useHarness } from './gateway-harness.js';

const rig = useHarness({ GATEWAY_MAX_CONNECTIONS_PER_KEY: '1000', GATEWAY_API_KEY_LIMITS: '{"second-key":{"max_connections_per_address":2}}' });
const opened: WebSocket[] = [];

// registered after the harness's, so run before it stops the gateway
afterAll(() => {
  for (const w of opened) w.terminate();
});

/** Open a connection from `localAddress`; resolves with its close (code) or 'open' once it got data. */
function connect(key: string, localAddress: string): Promise<{ ws: WebSocket; result: 'open' | number; error?: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${rig.h.wsUrl}/ws?token=${key}&symbols=BTC-USD`, { localAddress, perMessageDeflate: false });
    opened.push(ws);
    let error: string | undefined;
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; payload: { message: string } };
      if (m.type === 'ERROR') error = m.payload.message;
      else if (m.type === 'SNAPSHOT') resolve({ ws, result: 'open' });
    });
    ws.on('close', (code) => resolve({ ws, result: code, ...(error ? { error } : {}) }));
    ws.on('error', () => undefined);
  });
}

describe('per-address limits of a shared key', () => {
  it('one address holding its 100 connections does not lock the key out for another address', async () => {
    const first = await Promise.all(Array.from({ length: 100 }, () => connect('demo', '127.0.0.1')));
    expect(first.every((c) => c.result === 'open')).toBe(true);
    const more = await connect('demo', '127.0.0.1');
    expect(more.result).toBe(CloseCode.TOO_MANY_CONNECTIONS);
    expect(more.error).toBe('at most 100 connections per API key from one address');
    const elsewhere = await connect('demo', '127.0.0.2');
    expect(elsewhere.result).toBe('open');
    // a connection closing frees its address's slot
    first[0]!.ws.close();
    await waitFor(async () => (await connect('demo', '127.0.0.1')).result === 'open', { what: 'a freed slot' });
  });

  it('a key with its own limits gets them', async () => {
    const a = await connect('second-key', '127.0.0.3');
    const b = await connect('second-key', '127.0.0.3');
    const c = await connect('second-key', '127.0.0.3');
    expect([a.result, b.result, c.result]).toEqual(['open', 'open', CloseCode.TOO_MANY_CONNECTIONS]);
    expect(c.error).toBe('at most 2 connections per API key from one address');
    expect((await connect('second-key', '127.0.0.4')).result).toBe('open');
  });
});
