/** Gateway configuration: defaults, whole-config validation, hashed keys, and docs that list every variable. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatewayEnvDocs, loadGatewayConfig } from '../../services/gateway/config.js';
import { keyDigest as hashKey } from '../../libs/ws/index.js';
import { authenticate } from '../../services/gateway/auth.js';

describe('gateway config', () => {
  it('defaults to the documented contract', () => {
    const c = loadGatewayConfig({});
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.symbols).toEqual(['BTC-USD', 'ETH-USD']);
    expect(c.heartbeatMs).toBe(30_000);
    expect(c.pongTimeoutMs).toBe(10_000);
    expect(c.maxMissedPongs).toBe(3);
    expect(c.firehoseUrl).toBe('ws://127.0.0.1:8081/ws/v1/liquidation/feed');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('keeps API keys only as hashes and authenticates by constant-time comparison', () => {
    const c = loadGatewayConfig({ GATEWAY_API_KEYS: 'alpha,beta' });
    expect(JSON.stringify(c)).not.toMatch(/alpha|beta/);
    expect(c.apiKeyHashes).toEqual([hashKey('alpha'), hashKey('beta')]);
    expect(authenticate('beta', c.apiKeyHashes)).toBe(hashKey('beta').subarray(0, 6).toString('hex'));
    expect(authenticate('gamma', c.apiKeyHashes)).toBeUndefined();
    expect(authenticate(undefined, c.apiKeyHashes)).toBeUndefined();
  });

  it('gives a key its own connection limits, validated with a clear error that never echoes a plain key', () => {
    const c = loadGatewayConfig({ GATEWAY_API_KEYS: 'alpha,beta', GATEWAY_API_KEY_LIMITS: '{"beta":{"max_connections":5000,"max_connections_per_address":2}}' });
    expect(c.maxConnectionsPerKeyPerAddress).toBe(100);
    expect(c.keyLimits.get(authenticate('beta', c.apiKeyHashes)!)).toEqual({ maxConnections: 5000, maxConnectionsPerAddress: 2 });
    expect(c.keyLimits.get(authenticate('alpha', c.apiKeyHashes)!)).toBeUndefined();
    expect(() => loadGatewayConfig({ GATEWAY_API_KEYS: 'alpha', GATEWAY_API_KEY_LIMITS: '{"gamma":{"max_connections":5}}' })).toThrow(/GATEWAY_API_KEY_LIMITS names 1 key\(s\) not in GATEWAY_API_KEYS/);
    expect(() => loadGatewayConfig({ GATEWAY_API_KEYS: 'alpha', GATEWAY_API_KEY_LIMITS: '{"alpha":{"max_conns":5,"max_connections":0}}' })).toThrow(/GATEWAY_API_KEY_LIMITS[\s\S]*unknown field "max_conns"[\s\S]*max_connections must be a whole number/);
    expect(() => loadGatewayConfig({ GATEWAY_API_KEYS: 'alpha', GATEWAY_API_KEY_LIMITS: 'alpha=5' })).toThrow(/GATEWAY_API_KEY_LIMITS[\s\S]*JSON object/);
    try {
      loadGatewayConfig({ GATEWAY_API_KEYS: 'alpha', GATEWAY_API_KEY_LIMITS: '{"alpha":{"max_connections":-1}}' });
    } catch (e) {
      expect((e as Error).message).not.toContain('alpha');
    }
  });

  it('reports every bad variable at once, by name', () => {
    expect(() => loadGatewayConfig({ GATEWAY_PORT: 'x', GATEWAY_SYMBOLS: 'btc', GATEWAY_FIREHOSE_URL: 'http://a' })).toThrow(/GATEWAY_PORT[\s\S]*GATEWAY_SYMBOLS[\s\S]*GATEWAY_FIREHOSE_URL/);
    expect(() => loadGatewayConfig({ GATEWAY_DEFAULT_DEPTH: '50', GATEWAY_MAX_DEPTH: '10' })).toThrow(/GATEWAY_DEFAULT_DEPTH/);
  });

  it('is documented variable by variable in docs/gateway.md', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../docs/gateway.md'), 'utf8');
    for (const v of gatewayEnvDocs()) expect(doc).toContain(`| \`${v.env}\` | \`${v.default}\` |`);
  });
});
