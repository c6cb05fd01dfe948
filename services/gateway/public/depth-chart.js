// Cumulative depth chart on a canvas: bids stepping up to the left of the centre from the best
// bid, asks to the right from the best ask, y = cumulative size. Cumulative sizes come exact from
// the ladder; they turn into floats only as pixel positions. The exact end totals are kept on the
// canvas' dataset.
import { $ } from './dom.js';

const COLOURS = { bid: '#1f9d55', ask: '#d64545', grid: '#222a33', text: '#7b8794' };
const PAD = { left: 8, right: 8, top: 10, bottom: 22 };
const GAP = 6;

function fit(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { ctx, w, h };
}

/** One side as a stepped, filled area; `levels` best first with exact `cum`. */
function side(ctx, levels, x, y, baseY, colour) {
  if (!levels.length) return;
  ctx.beginPath();
  ctx.moveTo(x(levels[0].price), baseY);
  let prevY = baseY;
  for (const l of levels) {
    const px = x(l.price);
    ctx.lineTo(px, prevY);
    prevY = y(l.cum);
    ctx.lineTo(px, prevY);
  }
  const last = levels[levels.length - 1];
  ctx.lineTo(x(last.price), baseY);
  ctx.closePath();
  ctx.globalAlpha = 0.25;
  ctx.fillStyle = colour;
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.strokeStyle = colour;
  ctx.lineWidth = 1.5;
  ctx.stroke();
}

/**
 * Each side gets half the width from the centre outwards, on one common price scale (the wider
 * side's span), so the shapes compare and a wide or crossed spread cannot squeeze them into
 * slivers; the touch prices are written at the centre.
 */
export function renderDepthChart({ bids, asks }) {
  const canvas = $('depth');
  const { ctx, w, h } = fit(canvas);
  ctx.clearRect(0, 0, w, h);
  canvas.dataset.bidCum = bids.length ? bids[bids.length - 1].cum : '0';
  canvas.dataset.askCum = asks.length ? asks[asks.length - 1].cum : '0';
  canvas.dataset.points = String(bids.length + asks.length);
  if (!bids.length && !asks.length) return;
  const first = (ls) => (ls.length ? Number(ls[0].price) : 0);
  const last = (ls) => (ls.length ? Number(ls[ls.length - 1].price) : 0);
  const span = Math.max(first(bids) - last(bids), last(asks) - first(asks)) || 1;
  const half = (w - PAD.left - PAD.right - GAP) / 2;
  const mid = PAD.left + half + GAP / 2;
  const bidX = (p) => mid - GAP / 2 - ((first(bids) - Number(p)) / span) * half;
  const askX = (p) => mid + GAP / 2 + ((Number(p) - first(asks)) / span) * half;
  const top = Math.max(Number(canvas.dataset.bidCum), Number(canvas.dataset.askCum)) * 1.08 || 1;
  const baseY = h - PAD.bottom;
  const y = (c) => baseY - (Number(c) / top) * (baseY - PAD.top);

  ctx.strokeStyle = COLOURS.grid;
  ctx.lineWidth = 1;
  for (let i = 1; i <= 3; i++) {
    const gy = Math.round(baseY - ((baseY - PAD.top) * i) / 4) + 0.5;
    ctx.beginPath();
    ctx.moveTo(PAD.left, gy);
    ctx.lineTo(w - PAD.right, gy);
    ctx.stroke();
  }
  ctx.setLineDash([3, 3]);
  ctx.beginPath();
  ctx.moveTo(Math.round(mid) + 0.5, PAD.top);
  ctx.lineTo(Math.round(mid) + 0.5, baseY);
  ctx.stroke();
  ctx.setLineDash([]);
  side(ctx, bids, bidX, y, baseY, COLOURS.bid);
  side(ctx, asks, askX, y, baseY, COLOURS.ask);

  ctx.fillStyle = COLOURS.text;
  ctx.font = '11px ui-monospace, Menlo, Consolas, monospace';
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  if (bids.length) ctx.fillText(bids[bids.length - 1].price, PAD.left, baseY + 6);
  ctx.fillText(`bids Σ ${canvas.dataset.bidCum}`, PAD.left, PAD.top);
  ctx.textAlign = 'right';
  if (asks.length) ctx.fillText(asks[asks.length - 1].price, w - PAD.right, baseY + 6);
  ctx.fillText(`asks Σ ${canvas.dataset.askCum}`, w - PAD.right, PAD.top);
  ctx.textAlign = 'center';
  if (bids.length && asks.length) ctx.fillText(`${bids[0].price} | ${asks[0].price}`, mid, baseY + 6);
}
