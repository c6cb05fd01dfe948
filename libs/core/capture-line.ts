/**
 * The capture format of shared/fixtures/venues/PROVENANCE.md: one JSON object per line,
 * `{"t": receive ms, "src": "ws"|"rest", "url"?: string, "msg": raw frame}`; a line without
 * `src`/`msg` is a raw venue message (plain NDJSON recordings). Replay feeds `msg`
 * re-serialized to text (parsers take text, as from a socket); `record` writes the same shape.
 * Pure: the venues read capture files (libs/venues/capture.ts), the simulator replays them.
 */
import { BookfuseError } from './errors.js';

export interface CaptureLine {
  t: number;
  src: 'ws' | 'rest';
  url?: string;
  /** raw frame text as the venue sent it */
  raw: string;
  /** for rest lines: the parsed body */
  body?: unknown;
}

export function parseCaptureLine(line: string, lineNo: number): CaptureLine | null {
  if (line.trim() === '') return null;
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    throw new BookfuseError('BAD_FRAME', `capture line ${lineNo}: not JSON`);
  }
  const r = o as Record<string, unknown>;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new BookfuseError('BAD_FRAME', `capture line ${lineNo}: not a JSON object`);
  // Plain NDJSON (one raw venue message per line, e.g. Bybit's public archive): a ws frame
  // with no receive time.
  if (!('src' in r) || !('msg' in r)) return { t: 0, src: 'ws', raw: line };
  if (typeof r['t'] !== 'number' || (r['src'] !== 'ws' && r['src'] !== 'rest')) {
    throw new BookfuseError('BAD_FRAME', `capture line ${lineNo}: expected {t, src: "ws"|"rest", msg}`);
  }
  const msg = r['msg'];
  const raw = typeof msg === 'string' ? msg : JSON.stringify(msg);
  const out: CaptureLine = { t: r['t'], src: r['src'], raw };
  if (typeof r['url'] === 'string') out.url = r['url'];
  if (r['src'] === 'rest') out.body = typeof msg === 'string' ? safeJson(msg) : msg;
  return out;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

export function captureLine(src: 'ws' | 'rest', t: number, msg: unknown, url?: string): string {
  return JSON.stringify(url === undefined ? { t, src, msg } : { t, src, url, msg });
}
