/**
 * What the simulator records as sent (GET /truth/liquidations): venues give no liquidation ids,
 * so the content is the id, and the simulated market never sends two with the same content.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RATES, LiquidationRecord, SyntheticMarket, simSpec } from '../../../libs/simulator/index.js';

describe('liquidation record', () => {
  it('the simulated market never sends two liquidations with the same content, and the record lists each once', () => {
    const m = new SyntheticMarket(simSpec('BTC', 'BTCUSDT', 'USDT', ['0.1', '0.001'], ['0.0001', '1']), { ...DEFAULT_RATES, liquidationsPerS: 5000 }, 3);
    const rec = new LiquidationRecord();
    let n = 0;
    for (let t = 1; t <= 20; t++) {
      for (const e of m.step(10, 1_700_000_000_000 + t)) {
        if (e.type !== 'liq') continue;
        n++;
        rec.add('binance-usdm', 'BTC-USDT', e);
      }
    }
    const ids = rec.list(undefined, 0).map((x) => x.id);
    expect(n).toBeGreaterThan(500);
    expect(new Set(ids).size).toBe(ids.length);
    expect(rec.list('binance-usdm', 1_700_000_000_000 + 20).every((x) => x.ts >= 1_700_000_000_020)).toBe(true);
  });
});
