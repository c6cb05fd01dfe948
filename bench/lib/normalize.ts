/**
 * Turning whatever a suite returned into the runner's shape. Suites written against
 * bench/lib/suite.ts return a SuiteReport; any other object is shown (console and document) by
 * its numeric fields and passed through to `--json` as is. Fields the JSON contract requires but
 * a suite did not report stay null with a note: a missing figure is never filled in.
 */
import { sig3 } from './measure.js';
import { isSuiteReport, type SuiteReport } from './suite.js';

/** The `--json` fields every consumer may rely on (null when not measured). */
export const REQUIRED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  book: ['bookfuse_deltas_per_s', 'tardis_deltas_per_s', 'ccxt_deltas_per_s', 'bookfuse_top50_read_us'],
  merge: ['deltas_per_s'],
  e2e: ['realistic.p50_ms', 'realistic.p99_ms', 'realistic.floor_p50_ms', 'realistic.floor_p99_ms', 'realistic.cpu_cores', 'realistic.max_rss_mb', 'x10.p99_ms'],
};

export type SuiteStatus = 'ok' | 'not available' | 'not run' | 'failed';

export interface SuiteOutcome {
  suite: string;
  status: SuiteStatus;
  note?: string;
  /** null when the suite did not run */
  report: SuiteReport | null;
  json: Record<string, unknown>;
  rows: Array<[string, string]>;
}

export function fromResult(suite: string, result: unknown): SuiteOutcome {
  if (isSuiteReport(result)) return { suite, status: 'ok', report: result, json: plain(result.json), rows: result.rows };
  const json = plain(result);
  const rows = numericLeaves(json).map(([k, v]): [string, string] => [k, sig3(v)]);
  const markdown = [`## ${suite}`, '', `Figures as bench/${suite}.ts returned them.`, '', '| figure | value |', '|---|---:|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
  return { suite, status: 'ok', report: { suite, json, rows, markdown }, json, rows };
}

export function notMeasured(suite: string, status: Exclude<SuiteStatus, 'ok'>, note: string): SuiteOutcome {
  return { suite, status, note, report: null, json: {}, rows: [['status', `${status}: ${note}`]] };
}

/** The suite's `--json` object: its figures, the required fields (null when absent) and a note. */
export function jsonFor(o: SuiteOutcome): Record<string, unknown> {
  const out: Record<string, unknown> = { ...o.json, status: o.status };
  const missing: string[] = [];
  for (const path of REQUIRED_FIELDS[o.suite] ?? []) {
    const v = getPath(out, path);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      setPath(out, path, null);
      if (o.status === 'ok') missing.push(path);
    }
  }
  const notes = [o.note, missing.length ? `suite did not report ${missing.join(', ')}` : undefined].filter(Boolean);
  if (notes.length) out['note'] = notes.join('; ');
  return out;
}

function plain(x: unknown): Record<string, unknown> {
  const v = JSON.parse(JSON.stringify(x ?? {})) as unknown;
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
}

export function numericLeaves(o: unknown, prefix = ''): Array<[string, number]> {
  if (typeof o === 'number') return [[prefix, o]];
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return [];
  return Object.entries(o).flatMap(([k, v]) => numericLeaves(v, prefix ? `${prefix}.${k}` : k));
}

function getPath(o: Record<string, unknown>, path: string): unknown {
  let cur: unknown = o;
  for (const k of path.split('.')) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

function setPath(o: Record<string, unknown>, path: string, v: unknown): void {
  const keys = path.split('.');
  let cur = o;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]!] = v;
}
