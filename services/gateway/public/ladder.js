// The consensus ladder: price, size, cumulative size (exact decimal sums) and a bar of per-venue
// shares in each venue's colour; stale venues' shares faded, divergent venues' shares hatched and
// the row flagged.
import { addDecimal, compareDecimal, shareOf, sumDecimals } from '/client/index.js';
import { $, alignedDecimal, colour, el, fracLen } from './dom.js';
import { bpsText } from './alert-text.js';

/** Best-first levels with their exact running totals: [{price, total, venues, cum}] */
export function cumulative(levels) {
  let cum = '0';
  return levels.map((l) => ({ ...l, cum: (cum = addDecimal(cum, l.total)) }));
}

/** The widest row: a level's listed sizes can exceed its total when a venue is out of the totals. */
function largest(levels) {
  let max = '0';
  for (const l of levels) {
    const listed = sumDecimals(Object.values(l.venues));
    for (const x of [l.total, listed]) if (compareDecimal(x, max) > 0) max = x;
  }
  return max;
}

function row(l, side, max, views, places) {
  const divergent = Object.keys(l.venues).filter((v) => views[v]?.divergent);
  const tr = el('tr', { 'data-testid': 'level', 'data-side': side, 'data-price': l.price, 'data-total': l.total, 'data-cum': l.cum, 'data-divergent': divergent.join(',') || undefined, class: divergent.length ? 'has-divergent' : undefined });
  const bar = el('div', { class: 'bar' });
  for (const [v, q] of Object.entries(l.venues).sort()) {
    const view = views[v];
    const cls = ['seg', view?.stale && 'stale', view?.divergent && 'divergent'].filter(Boolean).join(' ');
    const seg = el('div', { class: cls, 'data-venue': v, 'data-size': q, title: `${v}: ${q}${view?.divergent ? ` (divergent ${bpsText(view.bps) ?? ''})` : ''}${view?.stale ? ' (stale)' : ''}` });
    seg.style.backgroundColor = colour(v); // not `background`: that would drop the divergent hatching
    seg.style.width = `${shareOf(q, max) * 100}%`;
    bar.append(seg);
  }
  const flag = divergent.length ? el('span', { class: 'flag', title: `divergent: ${divergent.join(', ')}` }, '⚠') : '';
  tr.append(el('td', { class: 'num price' }, alignedDecimal(l.price, places.price)), el('td', { class: 'num total' }, alignedDecimal(l.total, places.size)), el('td', { class: 'num cum' }, alignedDecimal(l.cum, places.size)), el('td', { class: 'share' }, bar), el('td', { class: 'flagcell' }, flag));
  return tr;
}

/** Draws the top `depth` of `book`; returns the rows' cumulative sides for the depth chart. */
export function renderLadder(book, depth, views) {
  const bids = cumulative(book.bids.slice(0, depth));
  const asks = cumulative(book.asks.slice(0, depth));
  const all = [...bids, ...asks];
  const max = largest(all);
  const places = { price: Math.max(0, ...all.map((l) => fracLen(l.price))), size: Math.max(0, ...all.map((l) => Math.max(fracLen(l.total), fracLen(l.cum)))) };
  $('asks').replaceChildren(...asks.slice().reverse().map((l) => row(l, 'ask', max, views, places)));
  $('bids').replaceChildren(...bids.map((l) => row(l, 'bid', max, views, places)));
  const bb = bids[0];
  const ba = asks[0];
  const ladder = $('ladder');
  ladder.dataset.mergeTs = String(book.mergeTs);
  ladder.dataset.epoch = String(book.epoch);
  ladder.dataset.ts = String(book.ts);
  ladder.dataset.bidTotal = bids.length ? bids[bids.length - 1].cum : '0';
  ladder.dataset.askTotal = asks.length ? asks[asks.length - 1].cum : '0';
  $('spread-cell').textContent = bb && ba ? spreadText(bb.price, ba.price, book.crossed) : '—';
  $('spread-cell').classList.toggle('crossed', Boolean(book.crossed));
  $('spread-cell').title = book.crossed ? 'crossed: the best consensus bid is at or above the best ask (venues disagree)' : '';
  return { bids, asks, total: sumDecimals([ladder.dataset.bidTotal, ladder.dataset.askTotal]) };
}

function spreadText(bid, ask, crossed) {
  const b = Number(bid);
  const a = Number(ask);
  const bps = ((a - b) / ((a + b) / 2)) * 1e4; // display only
  return `${bid} × ${ask} · spread ${bps.toFixed(2)} bps${crossed ? ' · crossed' : ''}`;
}
