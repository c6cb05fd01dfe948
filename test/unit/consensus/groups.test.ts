import { describe, expect, it } from 'vitest';
import { defaultGroups, parseGroupsSpec } from '../../../libs/consensus/index.js';
import { consensusVenues } from '../../../libs/venues/index.js';

describe('consensus groups from what the venues declare', () => {
  it('the defaults fuse BTC-USD and ETH-USD over every default member, each at its USD-like quote', () => {
    const groups = defaultGroups(consensusVenues());
    expect(groups.map((g) => [g.symbol, g.tick, g.depth])).toEqual([
      ['BTC-USD', '0.1', 50],
      ['ETH-USD', '0.01', 50],
    ]);
    expect(new Set(groups[0]!.members.map((m) => `${m.venue}:${m.symbol}`))).toEqual(
      new Set(['binance-spot:BTC-USDT', 'binance-usdm:BTC-USDT', 'bybit-linear:BTC-USDT', 'okx-swap:BTC-USDT', 'hyperliquid:BTC-USDC']),
    );
  });

  it('a bare venue in a spec stands for the base at that venue’s quote', () => {
    const [g] = parseGroupsSpec('SOL-USD@0.001=hyperliquid,bybit-linear,okx-spot:SOL-USDC', consensusVenues());
    expect(g!.members).toEqual([
      { venue: 'hyperliquid', symbol: 'SOL-USDC' },
      { venue: 'bybit-linear', symbol: 'SOL-USDT' },
      { venue: 'okx-spot', symbol: 'SOL-USDC' },
    ]);
  });

  it('a bare venue nobody declared is refused with its name, a missing tick falls back to the defaults', () => {
    expect(() => parseGroupsSpec('BTC-USD=nowhere', consensusVenues())).toThrow(/unknown venue "nowhere"/);
    expect(parseGroupsSpec('ETH-USD=binance-spot', consensusVenues())[0]!.tick).toBe('0.01');
  });
});
