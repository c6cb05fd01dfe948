// One panel per venue: state, mid, spread in bps, age, updates/s and share of the shown depth,
// in the venue's colour. Sizes are summed exactly; only the percentage is a float.
import { compareDecimal, shareOf, subDecimal, sumDecimals } from '/client/index.js';
import { $, colour, el, swatch } from './dom.js';
import { bpsText, secondsText } from './alert-text.js';

/** The venue's best bid and ask among the shown levels (its own best, since every member's levels are in the merge). */
function bestOf(levels, v) {
  return levels.find((l) => l.venues[v] !== undefined && compareDecimal(l.venues[v], '0') > 0)?.price;
}

function spreadText(bid, ask) {
  if (!bid || !ask) return undefined;
  const mid = (Number(bid) + Number(ask)) / 2;
  return `${((Number(subDecimal(ask, bid)) / mid) * 1e4).toFixed(2)} bps`; // display only
}

/** What a panel says the venue is doing, most urgent first. */
export function venueState(view, selected) {
  if (!selected) return 'off';
  if (!view) return 'waiting';
  if (view.stale) return 'stale';
  if (view.divergent) return 'divergent';
  if (view.member === false) return 'not merged';
  return view.state;
}

function field(name, label, value, title) {
  return el('div', { class: 'field', 'data-field': name, title }, el('span', { class: 'label' }, label), el('span', { class: 'value' }, value ?? '—'));
}

/**
 * @param venues sorted ids; @param views id → VenueView; @param selected Set;
 * @param ladder {bids, asks, total} from renderLadder; @param activity VenueActivity; @param depth N
 */
export function renderPanels(venues, views, selected, ladder, activity, depth) {
  const shown = [...ladder.bids, ...ladder.asks];
  const panels = venues.map((v) => {
    const view = views[v];
    const on = selected.has(v);
    const state = venueState(view, on);
    const size = sumDecimals(shown.map((l) => l.venues[v]).filter((q) => q !== undefined));
    // a venue out of the totals (stale, unconvertible) still lists its sizes; it has no share of them
    const counted = on && view?.member !== false;
    const share = counted ? shareOf(size, ladder.total) : 0;
    const bid = bestOf(ladder.bids, v);
    const ask = bestOf(ladder.asks, v);
    const age = activity.age(v, view);
    const head = el('div', { class: 'panel-head' }, swatch(v), el('span', { class: 'name' }, v), el('span', { class: `state state-${state.replace(' ', '-')}`, 'data-field': 'state' }, state));
    const meter = el('div', { class: 'meter' }, el('div', { class: 'fill' }));
    meter.firstChild.style.width = `${share * 100}%`;
    meter.firstChild.style.background = colour(v);
    const p = el(
      'div',
      { class: `panel${view?.stale ? ' stale' : ''}${view?.divergent ? ' divergent' : ''}${on ? '' : ' off'}`, 'data-venue': v, 'data-state': state, 'data-size': size },
      head,
      el(
        'div',
        { class: 'fields' },
        field('mid', 'mid', view?.mid ?? undefined),
        field('spread', 'spread', on ? spreadText(bid, ask) : undefined, bid && ask ? `own best ${bid} × ${ask}` : 'its best bid or ask is not in the shown depth'),
        field('age', 'age', secondsText(age), 'time since its last update reached the merger'),
        field('rate', 'upd/s', on ? activity.rate(v).toFixed(1) : undefined, 'size changes per second over the last 5 s'),
        field('share', 'share', counted ? `${(share * 100).toFixed(1)}%` : undefined, counted ? `${size} of the top-${depth} total ${ladder.total}` : 'not in the totals'),
        field('bps', 'off mid', bpsText(view?.bps), 'distance of its mid from the consensus mid'),
      ),
      meter,
    );
    p.style.borderLeftColor = colour(v);
    return p;
  });
  $('panels').replaceChildren(...panels);
}
