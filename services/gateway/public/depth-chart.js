// Cumulative depth chart on a canvas: bids stepping down-left from the best bid, asks up-right
// from the best ask, y = cumulative size. Cumulative sizes come exact from the ladder; they turn
// into floats only as pixel positions. The exact end totals are kept on the canvas' dataset.
import { $ } from './dom.js';

const COLOURS = { bid: '#1f9d55', ask: '#d64545', grid: '#222a33', text: '#7b8794' };
const PAD = { left: 8, right: 8, top: 10, bottom: 22 };

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

export function renderDepthChart({ bids, asks }) {
  const canvas = $('depth');
  const { ctx, w, h } = fit(canvas);
  ctx.clearRect(0, 0, w, h);
  canvas.dataset.bidCum = bids.length ? bids[bids.length - 1].cum : '0';
  canvas.dataset.askCum = asks.length ? asks[asks.length - 1].cum : '0';
  canvas.dataset.points = String(bids.length + asks.length);
  if (!bids.length && !asks.length) return;
  const prices = [...bids, ...asks].map((l) => Number(l.price));
  const lo = Math.min(...prices);
  const hi = Math.max(...prices);
  const top = Math.max(Number(canvas.dataset.bidCum), Number(canvas.dataset.askCum)) * 1.08 || 1;
  const span = hi - lo || 1;
  const x = (p) => PAD.left + ((Number(p) - lo) / span) * (w - PAD.left - PAD.right);
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
  side(ctx, bids, x, y, baseY, COLOURS.bid);
  side(ctx, asks, x, y, baseY, COLOURS.ask);

  ctx.fillStyle = COLOURS.text;
  ctx.font = '11px ui-monospace, Menlo, Consolas, monospace';
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText(String(lo), PAD.left, baseY + 6);
  ctx.textAlign = 'right';
  ctx.fillText(String(hi), w - PAD.right, baseY + 6);
  ctx.textAlign = 'center';
  if (bids[0] && asks[0]) ctx.fillText(`${bids[0].price} | ${asks[0].price}`, w / 2, baseY + 6);
  ctx.textAlign = 'left';
  ctx.fillText(`bids Σ ${canvas.dataset.bidCum}`, PAD.left, PAD.top);
  ctx.textAlign = 'right';
  ctx.fillText(`asks Σ ${canvas.dataset.askCum}`, w - PAD.right, PAD.top);
}
