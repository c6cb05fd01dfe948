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

  it('reports every bad variable at once, by name', () => {
    expect(() => loadGatewayConfig({ GATEWAY_PORT: 'x', GATEWAY_SYMBOLS: 'btc', GATEWAY_FIREHOSE_URL: 'http://a' })).toThrow(/GATEWAY_PORT[\s\S]*GATEWAY_SYMBOLS[\s\S]*GATEWAY_FIREHOSE_URL/);
    expect(() => loadGatewayConfig({ GATEWAY_DEFAULT_DEPTH: '50', GATEWAY_MAX_DEPTH: '10' })).toThrow(/GATEWAY_DEFAULT_DEPTH/);
  });

  it('is documented variable by variable in docs/gateway.md', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../docs/gateway.md'), 'utf8');
    for (const v of gatewayEnvDocs()) expect(doc).toContain(`| \`${v.env}\` | \`${v.default}\` |`);
  });
});
