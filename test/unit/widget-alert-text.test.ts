/** The widget's alerts read as sentences: bps to one decimal, ages in seconds, never raw JSON. */
import { describe, expect, it } from 'vitest';
import { alertDetails, alertSentence, bpsText, secondsText } from '../../services/gateway/public/alert-text.js';

describe('alert sentences on the widget page', () => {
  it('says a venue went stale, with its silence in seconds', () => {
    const a = { kind: 'STALE', venue: 'okx-swap', detail: { venue_symbol: 'BTC-USDT', age_ms: 5082, reason: 'silent', stale_after_ms: 5000 } };
    expect(alertSentence(a)).toBe('okx-swap went stale: no update for 5.1 s (limit 5.0 s); faded and flagged until it recovers.');
    expect(alertSentence({ ...a, detail: { ...a.detail, reason: 'down' } })).toMatch(/^okx-swap is down: no update for 5\.1 s/);
  });

  it('gives a divergence in bps to one decimal, with both mids', () => {
    const a = { kind: 'DIVERGENCE', venue: 'bybit-linear', detail: { venue_symbol: 'BTCUSDT', mid: '99091.25', consensus_mid: '98500.05', bps: 60.052712620784305 } };
    expect(alertSentence(a)).toBe('bybit-linear diverges from the consensus by 60.1 bps (mid 99091.25 vs consensus 98500.05).');
    expect(alertSentence({ kind: 'CONVERGED', venue: 'bybit-linear', detail: { bps: 12.349 } })).toBe('bybit-linear is back in line with the consensus: 12.3 bps away.');
  });

  it('explains recoveries and resyncs without field dumps', () => {
    expect(alertSentence({ kind: 'RECOVERED', venue: 'okx-swap', detail: { age_ms: 40 } })).toBe('okx-swap recovered: updating again, last update 0.0 s ago.');
    expect(alertSentence({ kind: 'RESYNC', venue: 'okx-swap', detail: { expected_prev_seq: 41, prev_seq: 44, seq: 45 } })).toBe('okx-swap book is being rebuilt from a fresh snapshot: sequence gap: expected 41, got 44.');
    expect(alertSentence({ kind: 'RESYNC', venue: 'okx-swap', detail: { reason: 'status seq ahead' } })).toMatch(/fresh snapshot: status seq ahead\.$/);
  });

  it('words unknown kinds and large liquidations readably', () => {
    // the merger's detail (libs/consensus/large-liquidation.ts)
    const large = { id: 'binance-usdm:77', venue: 'binance-usdm', venue_symbol: 'BTCUSDT', side: 'sell', liquidated: 'long', price: '98000', size: '6', notional_usd: '588000', liq_ts: 1 };
    expect(alertSentence({ kind: 'LARGE_LIQUIDATION', venue: 'binance-usdm', detail: large })).toBe('Large liquidation on binance-usdm BTCUSDT: long 6 @ 98000 ($588000).');
    const odd = alertSentence({ kind: 'SOMETHING_NEW', venue: 'okx-swap', detail: { lag_ms: 1500, bps: 3.14159, note: 'x', nested: { a: 1 } } });
    expect(odd).toBe('something new on okx-swap (lag 1.5 s, 3.1 bps, note x).');
    for (const s of [odd, alertDetails({ kind: 'STALE', detail: { venue_symbol: 'BTC-USDT', age_ms: 5082 } })]) expect(s).not.toMatch(/[{}"]/);
  });

  it('formats numbers that arrive as strings and refuses non-numbers', () => {
    expect(bpsText('60.06')).toBe('60.1 bps');
    expect(secondsText('5082')).toBe('5.1 s');
    expect(bpsText('abc')).toBeUndefined();
    expect(secondsText(undefined)).toBeUndefined();
  });
});
