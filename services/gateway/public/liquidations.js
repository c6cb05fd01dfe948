// The liquidation ticker: the firehose sends one liquidation per message; reconnects with backoff.
import { $, clock, el, trim } from './dom.js';

const MAX_ROWS = 30;

export function startLiquidations(firehoseUrl, token) {
  const state = (s) => {
    $('liq-state').dataset.state = s;
    $('liq-state').textContent = s;
  };
  const connect = (attempt) => {
    const url = new URL(firehoseUrl);
    url.searchParams.set('token', token);
    let ws;
    try {
      ws = new WebSocket(url);
    } catch {
      return;
    }
    ws.onopen = () => {
      attempt = 0;
      state('open');
    };
    ws.onmessage = (ev) => {
      let l;
      try {
        l = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (!l || !l.venue || !l.price) return;
      const li = el(
        'li',
        { class: `liq-${l.liquidated}`, 'data-testid': 'liquidation' },
        el('span', { class: 'time' }, clock(l.ts)),
        el('span', { class: 'text' }, `${l.venue} ${l.symbol} ${l.liquidated} ${l.qty} @ ${l.price}`),
        el('span', { class: 'usd' }, `$${l.notional_usd}`),
      );
      $('liqs').prepend(li);
      trim($('liqs'), MAX_ROWS);
    };
    ws.onclose = () => {
      state('reconnecting');
      setTimeout(() => connect(attempt + 1), Math.min(30_000, 1000 * 2 ** attempt));
    };
  };
  connect(0);
}
