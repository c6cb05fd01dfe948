import { describe, expect, it } from 'vitest';
import { loadMergerConfig, MERGER_ENV_DOC } from '../../services/merger/config.js';

describe('merger configuration', () => {
  it('defaults to BTC-USD and ETH-USD over the five venues', () => {
    const c = loadMergerConfig({});
    expect(c.groups.map((g) => [g.symbol, g.tick, g.depth])).toEqual([
      ['BTC-USD', '0.1', 50],
      ['ETH-USD', '0.01', 50],
    ]);
    expect(c.groups[0]!.members).toContainEqual({ venue: 'hyperliquid', symbol: 'BTC-USDC' });
    expect(c.groups[0]!.members).toContainEqual({ venue: 'okx-swap', symbol: 'BTC-USDT' });
    expect(c.rules).toMatchObject({ staleAfterMs: 5000, divergenceBps: '30', convergenceBps: '25', divergenceExclude: false });
    expect(c.ownership).toEqual({ kind: 'all' });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('parses the compact group syntax, overrides and sharding', () => {
    const c = loadMergerConfig({
      CONSENSUS_GROUPS: 'SOL-USD@0.001/20=binance-usdm,hyperliquid;BTC-USD=okx-swap:BTC-USDC',
      STALE_AFTER_MS_OVERRIDES: 'hyperliquid:7000',
      MERGER_SHARD: '1/3',
    });
    expect(c.groups).toEqual([
      { symbol: 'SOL-USD', tick: '0.001', depth: 20, members: [{ venue: 'binance-usdm', symbol: 'SOL-USDT' }, { venue: 'hyperliquid', symbol: 'SOL-USDC' }] },
      { symbol: 'BTC-USD', tick: '0.1', depth: 50, members: [{ venue: 'okx-swap', symbol: 'BTC-USDC' }] },
    ]);
    expect(c.rules.staleAfterOverrides).toEqual({ hyperliquid: 7000 });
    expect(c.ownership).toEqual({ kind: 'shard', index: 1, count: 3 });
  });

  it('reads groups from a JSON file', () => {
    const c = loadMergerConfig({ CONSENSUS_CONFIG_FILE: '/etc/groups.json' }, (p) => {
      expect(p).toBe('/etc/groups.json');
      return JSON.stringify({ groups: [{ symbol: 'ETH-USD', tick: '0.05', members: [{ venue: 'bybit-linear', symbol: 'ETH-USDT' }] }] });
    });
    expect(c.groups).toEqual([{ symbol: 'ETH-USD', tick: '0.05', depth: 50, members: [{ venue: 'bybit-linear', symbol: 'ETH-USDT' }] }]);
  });

  it('reports every bad variable at once, by name', () => {
    let err: Error | undefined;
    try {
      loadMergerConfig({ STALE_AFTER_MS: 'soon', DIVERGENCE_BPS: '20', CONVERGENCE_BPS: '25', MERGER_SHARD: '2/2', CONSENSUS_GROUPS: 'NOPE@x=binance-usdm' });
    } catch (e) {
      err = e as Error;
    }
    expect((err as { code?: string }).code).toBe('BAD_CONFIG');
    for (const name of ['STALE_AFTER_MS', 'CONVERGENCE_BPS', 'MERGER_SHARD', 'CONSENSUS_GROUPS']) expect(err!.message).toContain(name);
  });

  it('rejects a venue listed twice in a group and MERGER_SYMBOLS naming no group', () => {
    expect(() => loadMergerConfig({ CONSENSUS_GROUPS: 'BTC-USD=binance-usdm,binance-usdm' })).toThrow(/listed twice/);
    expect(() => loadMergerConfig({ MERGER_SYMBOLS: 'DOGE-USD' })).toThrow(/no consensus group DOGE-USD/);
  });

  it('documents every variable with a default and a meaning', () => {
    const names = MERGER_ENV_DOC.map((d) => d.name);
    for (const n of ['NATS_URL', 'CONSENSUS_GROUPS', 'CONSENSUS_CONFIG_FILE', 'MERGER_SHARD', 'MERGER_SYMBOLS', 'STALE_AFTER_MS', 'STALE_AFTER_MS_OVERRIDES', 'DIVERGENCE_BPS', 'CONVERGENCE_BPS', 'DIVERGENCE_MIN_MS', 'DIVERGENCE_EXCLUDE', 'TRADE_DEDUP_KEY', 'TRADE_DEDUP_WINDOW_MS', 'LIQ_RETENTION_MS', 'COALESCE_MS']) {
      expect(names).toContain(n);
    }
    for (const d of MERGER_ENV_DOC) expect(d.meaning.length).toBeGreaterThan(10);
  });

  it("gives slow-pushing venues their adapter's longer staleness unless configured otherwise", () => {
    // Hyperliquid pushes its l2Book every few seconds: 5 s would flap STALE/RECOVERED
    expect(loadMergerConfig({}).rules.staleAfterOverrides['hyperliquid']).toBe(15_000);
    expect(loadMergerConfig({}).rules.staleAfterOverrides['binance-usdm']).toBeUndefined();
    expect(loadMergerConfig({ STALE_AFTER_MS_OVERRIDES: 'hyperliquid:7000' }).rules.staleAfterOverrides['hyperliquid']).toBe(7000);
    // a longer global threshold is never shortened
    expect(loadMergerConfig({ STALE_AFTER_MS: '20000' }).rules.staleAfterOverrides['hyperliquid']).toBeUndefined();
  });

  it('leases for 1.5 s renewed every 300 ms by default (a dead active leaves its shard silent under 2 s), and refuses renewals or margins that leave no slack', () => {
    expect(loadMergerConfig({})).toMatchObject({ leaseTtlMs: 1500, leaseRenewMs: 300, leaseMarginMs: 200, leaseReplicas: 1 });
    expect(() => loadMergerConfig({ MERGER_LEASE_TTL_MS: '1000', MERGER_LEASE_RENEW_MS: '500' })).toThrow(/MERGER_LEASE_RENEW_MS=500 must be < MERGER_LEASE_TTL_MS\/2/);
    expect(() => loadMergerConfig({ MERGER_LEASE_MARGIN_MS: '400' })).toThrow(/MERGER_LEASE_MARGIN_MS=400 must be < MERGER_LEASE_TTL_MS\/4/);
    expect(loadMergerConfig({ MERGER_LEASE_TTL_MS: '1000', MERGER_LEASE_RENEW_MS: '200', MERGER_LEASE_MARGIN_MS: '200', MERGER_LEASE_REPLICAS: '3' })).toMatchObject({ leaseTtlMs: 1000, leaseReplicas: 3 });
    // the lease is replicated as the liquidation streams are, unless set
    expect(loadMergerConfig({ LIQ_REPLICAS: '3' }).leaseReplicas).toBe(3);
    expect(loadMergerConfig({ LIQ_REPLICAS: '3', MERGER_LEASE_REPLICAS: '1' }).leaseReplicas).toBe(1);
  });
});
