/**
 * `npm run bench [suite…] [--json] [--quick] [--no-write] [--doc path] [--fixtures dir]`
 *
 * Runs the suites (all by default, or those named), prints a table, and rewrites their sections
 * of docs/benchmarks.md. Suites are imported dynamically: one that is not built yet is reported
 * "not available" with null figures, never estimated. With --json, stdout carries exactly one
 * JSON object and everything else goes to stderr.
 */
import { pathToFileURL } from 'node:url';
import { describeMachine } from './lib/machine.js';
import { fromResult, jsonFor, notMeasured, type SuiteOutcome } from './lib/normalize.js';
import { DEFAULT_DOC } from './lib/paths.js';
import { consoleTable, headerSection, measuredLine, updateDocFile, type DocSection } from './report.js';

export interface SuiteEntry {
  name: string;
  /** module specifier relative to this file (compiled: dist/bench) */
  module: string;
  fn: string;
}

export const SUITES: readonly SuiteEntry[] = [
  { name: 'book', module: './book.js', fn: 'runBookBench' },
  { name: 'venues', module: './venues.js', fn: 'runVenuesBench' },
  { name: 'merge', module: './merge.js', fn: 'runMergeBench' },
  { name: 'firehose', module: './firehose.js', fn: 'runFirehoseBench' },
  { name: 'gateway', module: './gateway.js', fn: 'runGatewayBench' },
  { name: 'e2e', module: './e2e.js', fn: 'runE2eBench' },
];

export interface RunArgs {
  suites: string[];
  json: boolean;
  quick: boolean;
  write: boolean;
  doc: string;
  fixturesDir?: string;
}

export function parseArgs(argv: string[], known: readonly SuiteEntry[] = SUITES): RunArgs {
  const args: RunArgs = { suites: [], json: false, quick: false, write: true, doc: DEFAULT_DOC() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--json') args.json = true;
    else if (a === '--quick') args.quick = true;
    else if (a === '--no-write') args.write = false;
    else if (a === '--doc') args.doc = value();
    else if (a === '--fixtures') args.fixturesDir = value();
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else if (!known.some((s) => s.name === a)) throw new Error(`unknown suite ${a}; known: ${known.map((s) => s.name).join(', ')}`);
    else args.suites.push(a);
  }
  if (args.suites.length === 0) args.suites = known.map((s) => s.name);
  return args;
}

export interface RunIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: RunIo = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) };

/** Run the selected suites; returns the `--json` object and whether every selected suite ran. */
export async function runBench(argv: string[], io: RunIo = processIo, suites: readonly SuiteEntry[] = SUITES): Promise<{ json: Record<string, unknown>; ok: boolean }> {
  const args = parseArgs(argv, suites);
  const show = args.json ? io.err : io.out;
  const date = new Date();
  const machine = describeMachine();
  const outcomes: SuiteOutcome[] = [];
  for (const s of suites) {
    if (!args.suites.includes(s.name)) {
      outcomes.push(notMeasured(s.name, 'not run', 'not selected in this run'));
      continue;
    }
    io.err(`bench: ${s.name} …`);
    outcomes.push(await runSuite(s, args, io.err));
  }
  const ran = outcomes.filter((o) => args.suites.includes(o.suite));
  show(consoleTable(ran.map((o) => ({ suite: o.suite, status: o.status, rows: o.rows }))));
  const json: Record<string, unknown> = { generated_at: date.toISOString(), machine };
  for (const o of outcomes) json[o.suite] = jsonFor(o);
  if (args.json) io.out(JSON.stringify(json));
  if (args.write) {
    await updateDocFile(args.doc, docSections(ran, date, machine));
    show(`bench: wrote ${args.doc}`);
  }
  return { json, ok: ran.every((o) => o.status !== 'failed') };
}

async function runSuite(s: SuiteEntry, args: RunArgs, log: (l: string) => void): Promise<SuiteOutcome> {
  const url = new URL(s.module, import.meta.url);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url.href)) as Record<string, unknown>;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_MODULE_NOT_FOUND' && err.message.includes(url.pathname)) {
      return notMeasured(s.name, 'not available', `bench/${s.module.replace(/^\.\//, '').replace(/\.js$/, '.ts')} is not in this tree`);
    }
    return notMeasured(s.name, 'failed', `could not load ${s.module}: ${err.message}`);
  }
  const fn = mod[s.fn];
  if (typeof fn !== 'function') return notMeasured(s.name, 'not available', `${s.module} does not export ${s.fn}`);
  try {
    const result: unknown = await (fn as (o: object) => Promise<unknown>)({ quick: args.quick, log, ...(args.fixturesDir ? { fixturesDir: args.fixturesDir } : {}) });
    return fromResult(s.name, result);
  } catch (e) {
    log(`bench: ${s.name} failed: ${(e as Error).stack ?? String(e)}`);
    return notMeasured(s.name, 'failed', (e as Error).message);
  }
}

/**
 * Sections to rewrite: the header and every suite that ran. A suite that could not run gets a
 * status section only where the document has none (older measured figures, dated, stay).
 */
function docSections(ran: SuiteOutcome[], date: Date, machine: ReturnType<typeof describeMachine>): DocSection[] {
  const sections: DocSection[] = [headerSection({ date, machine, suites: ran.map((o) => ({ name: o.suite, status: o.status, command: o.report?.command })) })];
  for (const o of ran) {
    if (o.report) sections.push({ name: o.suite, body: `${o.report.markdown}\n\n${measuredLine(date, machine)}` });
    else if (o.status !== 'ok') sections.push({ name: o.suite, ifAbsent: true, body: `## ${o.suite}\n\n${o.status} in the run of ${date.toISOString()}: ${o.note ?? ''}` });
  }
  return sections;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runBench(process.argv.slice(2)).then(
    (r) => {
      process.exitCode = r.ok ? 0 : 1;
    },
    (e: unknown) => {
      process.stderr.write(`bench: ${(e as Error).message}\n`);
      process.exitCode = 2;
    },
  );
}
