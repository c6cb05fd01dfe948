// The consensus widget: ladder with per-venue shares, stale venues faded, alerts, and the
// liquidation ticker. Built on the bookfuse client library, served by the gateway as ES modules.
import { BookfuseClient } from '/client/index.js';

const params = new URLSearchParams(location.search);
const token = params.get('token') || 'demo';
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f'];
const colours = new Map();
const colour = (venue) => {
  if (!colours.has(venue)) colours.set(venue, PALETTE[colours.size % PALETTE.length]);
  return colours.get(venue);
};
const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, text) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};

const cfg = await (await fetch('/widget-config.json')).json();
const symbol = params.get('symbol') && cfg.symbols.includes(params.get('symbol')) ? params.get('symbol') : cfg.symbols[0];
const depth = Number(params.get('depth')) || cfg.depth;
$('symbol').textContent = symbol;
for (const s of cfg.symbols) {
  const o = el('option', { value: s }, s);
  if (s === symbol) o.selected = true;
  $('symbol-select').append(o);
}
$('symbol-select').addEventListener('change', (e) => {
  params.set('symbol', e.target.value);
  location.search = params.toString();
});

const client = new BookfuseClient({ url: location.origin.replace(/^http/, 'ws'), apiKey: token, symbols: [symbol], depth, detail: 'venues' });
client.on('state', (s) => {
  $('conn').dataset.state = s;
  $('conn').textContent = s;
});
client.on('error', (e) => addAlert({ kind: 'ERROR', venue: e.code, detail: { message: e.message }, ts: Date.now() }));
client.on('alert', (a) => addAlert(a));

let dirty = false;
client.on('book', () => {
  if (dirty) return;
  dirty = true;
  requestAnimationFrame(render);
});

// Display-only ratios (bar widths); the book itself stays in exact decimal strings.
const ratio = (part, whole) => (Number(whole) > 0 ? Math.max(0, Math.min(1, Number(part) / Number(whole))) : 0);

function render() {
  dirty = false;
  const book = client.books.get(symbol);
  if (!book || !book.synced) return;
  const venues = book.venues;
  const legend = $('venues');
  legend.replaceChildren(
    ...Object.keys(venues)
      .sort()
      .map((v) => {
        const view = venues[v];
        const cls = ['venue', view.stale ? 'stale' : '', view.divergent ? 'divergent' : ''].filter(Boolean).join(' ');
        const item = el('span', { class: cls, 'data-venue': v, 'data-stale': String(view.stale), title: `${view.state}, age ${view.age_ms} ms` });
        const sw = el('span', { class: 'swatch' });
        sw.style.background = colour(v);
        item.append(sw, el('span', {}, v));
        if (view.divergent) item.append(el('span', { class: 'tag' }, `divergent ${view.bps ?? ''} bps`));
        if (view.stale) item.append(el('span', { class: 'tag' }, 'stale'));
        return item;
      }),
  );
  const row = (l, side) => {
    const tr = el('tr', { 'data-testid': 'level', 'data-side': side, 'data-price': l.price });
    tr.append(el('td', { class: 'price' }, l.price), el('td', { class: 'total' }, l.total));
    const bar = el('div', { class: 'bar' });
    const max = maxTotal;
    for (const [v, q] of Object.entries(l.venues).sort()) {
      const seg = el('div', { class: `seg${venues[v]?.stale ? ' stale' : ''}`, 'data-venue': v, title: `${v}: ${q}` });
      seg.style.background = colour(v);
      seg.style.width = `${ratio(q, max) * 100}%`;
      bar.append(seg);
    }
    const td = el('td', { class: 'share' });
    td.append(bar);
    tr.append(td);
    return tr;
  };
  const asks = book.asks.slice(0, depth);
  const bids = book.bids.slice(0, depth);
  let maxTotal = '0';
  for (const l of [...asks, ...bids]) if (Number(l.total) > Number(maxTotal)) maxTotal = l.total;
  $('asks').replaceChildren(...asks.slice().reverse().map((l) => row(l, 'ask')));
  $('bids').replaceChildren(...bids.map((l) => row(l, 'bid')));
  $('spread-cell').textContent = bids[0] && asks[0] ? `${bids[0].price} × ${asks[0].price}${book.crossed ? ' (crossed)' : ''}` : '—';
}

function addAlert(a) {
  const li = el('li', { class: `alert-${a.kind}`, 'data-kind': a.kind, 'data-venue': a.venue }, `${new Date(a.ts).toLocaleTimeString()} ${a.kind} ${a.venue} ${a.detail ? JSON.stringify(a.detail) : ''}`);
  $('alerts').prepend(li);
  while ($('alerts').children.length > 50) $('alerts').lastChild.remove();
}

// Liquidation ticker: one JSON liquidation per message from the firehose.
function firehose(attempt = 0) {
  const url = new URL(cfg.firehose_url);
  url.searchParams.set('token', token);
  let ws;
  try {
    ws = new WebSocket(url);
  } catch {
    return;
  }
  const state = (s) => {
    $('liq-state').dataset.state = s;
    $('liq-state').textContent = s;
  };
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
    const li = el('li', { class: `liq-${l.liquidated}`, 'data-testid': 'liquidation' }, `${new Date(l.ts).toLocaleTimeString()} ${l.venue} ${l.symbol} ${l.liquidated} ${l.qty} @ ${l.price} ($${l.notional_usd})`);
    $('liqs').prepend(li);
    while ($('liqs').children.length > 30) $('liqs').lastChild.remove();
  };
  ws.onclose = () => {
    state('reconnecting');
    setTimeout(() => firehose(attempt + 1), Math.min(30_000, 1000 * 2 ** attempt));
  };
}

client.start();
firehose();
