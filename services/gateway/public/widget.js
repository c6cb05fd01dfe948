// The consensus widget's entry: reads the page's config, opens the subscription, and redraws the
// venue bar, ladder, depth chart and venue panels once per frame when the book changed. Each part
// lives in its own module; the client library comes from the gateway at /client/*.
import { $, clock, colour, el } from './dom.js';
import { Subscription } from './subscription.js';
import { renderLegend } from './legend.js';
import { renderLadder } from './ladder.js';
import { renderDepthChart } from './depth-chart.js';
import { renderPanels } from './panels.js';
import { VenueActivity } from './venue-activity.js';
import { addTrade, filterTape } from './tape.js';
import { addAlert } from './alerts.js';
import { startLiquidations } from './liquidations.js';

const VIEWS_POLL_MS = 2_000;
const params = new URLSearchParams(location.search);
const token = params.get('token') || 'demo';
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
  params.delete('venues');
  location.search = params.toString();
});
$('depth-n').textContent = String(depth);

let dirty = false;
function schedule() {
  if (dirty) return;
  dirty = true;
  requestAnimationFrame(render);
}

/** Every venue of the symbol (from REST and from the stream) and its latest view from REST. */
const known = new Set();
let restViews = {};
async function pollViews() {
  try {
    const r = await fetch('/v1/venues', { headers: { 'x-api-key': token } });
    if (!r.ok) return;
    const body = await r.json();
    restViews = body.symbols?.[symbol]?.venues ?? {};
    for (const v of Object.keys(restViews).sort()) known.add(v);
    schedule();
  } catch {
    /* the stream still works without it */
  }
}
await pollViews();
setInterval(pollViews, VIEWS_POLL_MS);
// colours follow the sorted venue list, not the order in which the first prints happen to arrive
for (const v of [...known].sort()) colour(v);

const fromUrl = (params.get('venues') ?? '').split(',').filter(Boolean).sort();
const initial = fromUrl.length && [...known].some((v) => !fromUrl.includes(v)) ? fromUrl : null;
let selected = new Set(initial ?? known);
const sub = new Subscription({ token, symbol, depth, venues: initial });
const activity = new VenueActivity();

function select(next) {
  selected = next;
  const all = [...known].every((v) => next.has(v));
  if (all) params.delete('venues');
  else params.set('venues', [...next].sort().join(','));
  history.replaceState(null, '', `?${params.toString()}`);
  sub.setVenues(all ? null : [...next].sort());
  filterTape(next);
  schedule();
}

sub.on('state', (s) => {
  $('conn').dataset.state = s;
  $('conn').textContent = s;
});
sub.on('error', (e) => addAlert({ kind: 'ERROR', venue: e.code, detail: { message: e.message }, ts: Date.now() }));
sub.on('alert', (a) => addAlert(a));
sub.on('trade', (t) => addTrade(t, selected));
sub.on('book', (book, kind) => {
  activity.observe(book, depth, kind === 'delta');
  schedule();
});

function render() {
  dirty = false;
  const book = sub.book;
  const views = { ...restViews, ...(book?.venues ?? {}) };
  for (const v of Object.keys(views).sort()) known.add(v);
  if (!sub.venues) for (const v of known) selected.add(v); // all merged: newly seen venues are in too
  const venues = [...known].sort();
  renderLegend(venues, views, selected, select);
  if (!book || !book.synced) return;
  const ladder = renderLadder(book, depth, views);
  renderDepthChart(ladder);
  renderPanels(venues, views, selected, ladder, activity, depth);
  $('book-meta').textContent = `merging ${[...selected].filter((v) => known.has(v)).length} of ${known.size} venues · seq ${book.seq} · ${clock(book.mergeTs, true)}`;
}

// ages and updates/s move even when the book is quiet
setInterval(schedule, 1_000);
sub.start();
startLiquidations(cfg.firehose_url, token);
