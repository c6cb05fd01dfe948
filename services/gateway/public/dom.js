// Small DOM and formatting helpers shared by the widget's modules.

export const $ = (id) => document.getElementById(id);

/** el('td', { class: 'x' }, 'text', childNode, …): attributes, then text or nodes as children. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null && v !== false) e.setAttribute(k, String(v));
  for (const c of children) if (c !== undefined && c !== null) e.append(c);
  return e;
}

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f'];
const colours = new Map();

/** A venue keeps its colour for the life of the page (assigned in the order venues are first listed). */
export function colour(venue) {
  if (!colours.has(venue)) colours.set(venue, PALETTE[colours.size % PALETTE.length]);
  return colours.get(venue);
}

export function swatch(venue) {
  const s = el('span', { class: 'swatch', 'aria-hidden': 'true' });
  s.style.background = colour(venue);
  return s;
}

const two = (n) => String(n).padStart(2, '0');

/** 24 h local wall time, optionally with milliseconds: 18:42:07.125 */
export function clock(ts, withMs = false) {
  const d = new Date(ts);
  const base = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return withMs ? `${base}.${String(d.getMilliseconds()).padStart(3, '0')}` : base;
}

/** Keep at most `max` children (newest first). */
export function trim(list, max) {
  while (list.children.length > max) list.lastChild.remove();
}

/** digits after the point ("98501.25" → 2) */
export const fracLen = (s) => (s.includes('.') ? s.length - s.indexOf('.') - 1 : 0);

/**
 * A decimal string padded to `places` fraction digits for column alignment; the padding is dimmed
 * so the exact value the server sent stays what the eye reads ("98501" shows as 98501.0).
 */
export function alignedDecimal(s, places) {
  const have = fracLen(s);
  const pad = places - have;
  if (pad <= 0) return document.createTextNode(s);
  const span = el('span', {}, s);
  span.append(el('span', { class: 'pad' }, `${have === 0 ? '.' : ''}${'0'.repeat(pad)}`));
  return span;
}
