// The consensus trade tape: time, side, price, size and the venues that printed it; a print that
// several venues reported (merged by the merger, counted once) is marked.
import { $, clock, el, swatch, trim } from './dom.js';

const MAX_ROWS = 60;

/** A print is shown unless every venue that printed it is out of the user's merge. */
export function addTrade(t, selected) {
  if (!t || !Array.isArray(t.venues) || !t.venues.some((v) => selected.has(v))) return;
  const merged = t.venues.length > 1;
  const venues = el('div', { class: 'vlist' });
  for (const v of t.venues) venues.append(el('span', { class: 'vtag', title: v }, swatch(v), v));
  if (merged) venues.prepend(el('span', { class: 'merged', title: `one print reported by ${t.venues.length} venues, counted once` }, `×${t.venues.length}`));
  const tr = el(
    'tr',
    { 'data-testid': 'trade', 'data-id': t.id, 'data-side': t.side, 'data-price': t.price, 'data-qty': t.qty, 'data-venues': t.venues.join(','), 'data-merged': String(merged), class: `trade-${t.side}${merged ? ' merged-row' : ''}` },
    el('td', { class: 'time' }, clock(t.ts, true)),
    el('td', { class: 'side' }, t.side),
    el('td', { class: 'num price' }, t.price),
    el('td', { class: 'num' }, t.qty),
    el('td', { class: 'venues-cell' }, venues),
  );
  const body = $('tape');
  body.prepend(tr);
  trim(body, MAX_ROWS);
}

/** After the venue set changed: prints of unticked venues only are hidden, the others shown again. */
export function filterTape(selected) {
  for (const tr of $('tape').children) tr.hidden = !tr.dataset.venues.split(',').some((v) => selected.has(v));
}
