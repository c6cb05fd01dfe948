// The venue bar: one checkbox per venue (colour tag, name, stale/divergent marks). Unticking a
// venue takes it out of the merge; the last ticked venue cannot be unticked.
import { $, el, swatch } from './dom.js';
import { bpsText } from './alert-text.js';

/**
 * @param venues sorted venue ids
 * @param views venue id → VenueView (may lack some)
 * @param selected Set of ticked venues
 * @param onChange called with the new Set after a click
 */
export function renderLegend(venues, views, selected, onChange) {
  const bar = $('venues');
  // rebuilt only when something shown changed, so a click is never lost to a re-render
  const sig = JSON.stringify(venues.map((v) => [v, selected.has(v), views[v]?.stale, views[v]?.divergent, bpsText(views[v]?.bps), views[v]?.state]));
  if (bar.dataset.sig === sig) return;
  bar.dataset.sig = sig;
  const items = venues.map((v) => {
    const view = views[v];
    const stale = Boolean(view?.stale);
    const divergent = Boolean(view?.divergent);
    const on = selected.has(v);
    const cls = ['venue', stale && 'stale', divergent && 'divergent', !on && 'off'].filter(Boolean).join(' ');
    const box = el('input', { type: 'checkbox', 'data-venue': v, 'aria-label': `merge ${v}` });
    box.checked = on;
    box.disabled = on && selected.size === 1;
    box.addEventListener('change', () => {
      const next = new Set(selected);
      if (box.checked) next.add(v);
      else next.delete(v);
      if (next.size > 0) onChange(next);
    });
    const item = el('label', { class: cls, 'data-venue': v, 'data-stale': String(stale), 'data-divergent': String(divergent), 'data-selected': String(on), title: view ? `${v}: ${view.state}` : v }, box, swatch(v), el('span', { class: 'name' }, v));
    if (divergent) item.append(el('span', { class: 'tag tag-divergent' }, `divergent${view.bps !== undefined ? ` ${bpsText(view.bps)}` : ''}`));
    if (stale) item.append(el('span', { class: 'tag tag-stale' }, 'stale'));
    if (!on) item.append(el('span', { class: 'tag tag-off' }, 'off'));
    return item;
  });
  bar.replaceChildren(el('span', { class: 'bar-label' }, 'merge'), ...items);
}
