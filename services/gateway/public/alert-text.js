// Alerts as sentences a person reads: bps to one decimal, ages in seconds, never raw JSON.
// Pure (no DOM), so test/unit/widget-alert-text.test.ts checks it in Node.

const num = (v) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN);

/** 60.052712620784305 → "60.1 bps"; undefined when not a number */
export function bpsText(v) {
  const n = num(v);
  return Number.isFinite(n) ? `${n.toFixed(1)} bps` : undefined;
}

/** 5082 (ms) → "5.1 s" */
export function secondsText(ms) {
  const n = num(ms);
  return Number.isFinite(n) ? `${(n / 1000).toFixed(1)} s` : undefined;
}

const words = (key) => key.replace(/_/g, ' ');

/** key: value pairs for detail fields no sentence covers, so nothing is hidden and nothing is JSON */
function rest(detail, used) {
  const parts = [];
  for (const [k, v] of Object.entries(detail ?? {})) {
    if (used.includes(k) || v === null || v === undefined) continue;
    if (k.endsWith('_ms')) parts.push(`${words(k.slice(0, -3))} ${secondsText(v)}`);
    else if (k === 'bps') parts.push(bpsText(v));
    else if (typeof v === 'object') continue;
    else parts.push(`${words(k)} ${v}`);
  }
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function resyncReason(d) {
  if (d.reason) return String(d.reason);
  if (d.prev_seq !== undefined && d.expected_prev_seq !== undefined) return `sequence gap: expected ${d.expected_prev_seq}, got ${d.prev_seq}`;
  if (d.seq !== undefined && d.expected_seq !== undefined) return `sequence gap: expected ${d.expected_seq}, got ${d.seq}`;
  return 'sequence gap';
}

/** One sentence for an ALERT payload (or a client-side {kind: 'ERROR', venue: code, detail: {message}}). */
export function alertSentence(a) {
  const d = a.detail ?? {};
  const v = a.venue ?? 'a venue';
  switch (a.kind) {
    case 'STALE': {
      const what = d.reason === 'down' ? `${v} is down` : `${v} went stale`;
      const limit = d.stale_after_ms !== undefined ? ` (limit ${secondsText(d.stale_after_ms)})` : '';
      return `${what}: no update for ${secondsText(d.age_ms) ?? 'a while'}${limit}; faded and flagged until it recovers.`;
    }
    case 'RECOVERED':
      return `${v} recovered: updating again${d.age_ms !== undefined ? `, last update ${secondsText(d.age_ms)} ago` : ''}.`;
    case 'DIVERGENCE': {
      const mids = d.mid && d.consensus_mid ? ` (mid ${d.mid} vs consensus ${d.consensus_mid})` : '';
      return `${v} diverges from the consensus by ${bpsText(d.bps) ?? 'too much'}${mids}.`;
    }
    case 'CONVERGED':
      return `${v} is back in line with the consensus${bpsText(d.bps) ? `: ${bpsText(d.bps)} away` : ''}.`;
    case 'RESYNC':
      return `${v} book is being rebuilt from a fresh snapshot: ${resyncReason(d)}.`;
    case 'LARGE_LIQUIDATION': {
      const side = d.liquidated ?? d.side ?? '';
      const size = d.size ?? d.qty;
      const usd = d.notional_usd ?? d.notional;
      const where = `${d.venue ?? v}${d.venue_symbol ? ` ${d.venue_symbol}` : ''}`;
      return `Large liquidation on ${where}: ${side ? `${side} ` : ''}${size ?? '?'} @ ${d.price ?? '?'}${usd ? ` ($${usd})` : ''}.`;
    }
    case 'ERROR':
      return `Gateway error ${v}: ${d.message ?? 'no message'}.`;
    default:
      return `${String(a.kind).toLowerCase().replace(/_/g, ' ')} on ${v}${rest(d, [])}.`;
  }
}

/** The fields a sentence above leaves out, spelled as words (for the tooltip). */
export function alertDetails(a) {
  return rest(a.detail, []).replace(/^ \(|\)$/g, '');
}
