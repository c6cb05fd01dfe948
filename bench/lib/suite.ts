/**
 * What every suite hands the runner. A suite module exports `run<Name>Bench(options)` returning
 * a SuiteReport (or any object: the runner then shows its numeric fields and uses it as the
 * JSON as is). Figures must be measured in that run; nothing here is a default or a constant.
 */
export interface SuiteOptions {
  /** smaller workloads for tests and smoke runs; suites decide what that means */
  quick?: boolean;
  /** progress lines (the runner sends them to stderr so `--json` stays parseable) */
  log?: (line: string) => void;
}

export interface SuiteReport {
  suite: string;
  /** machine-readable figures, the suite's part of `--json` */
  json: Record<string, unknown>;
  /** label/value pairs for the console table */
  rows: Array<[label: string, value: string]>;
  /** the suite's section of docs/benchmarks.md (between its markers) */
  markdown: string;
  /** how to reproduce just this suite */
  command?: string;
}

export function isSuiteReport(x: unknown): x is SuiteReport {
  const r = x as Partial<SuiteReport> | null;
  return typeof r === 'object' && r !== null && typeof r.suite === 'string' && typeof r.markdown === 'string' && Array.isArray(r.rows) && typeof r.json === 'object';
}

/** The flags every standalone bench takes: `--json` (figures to stdout) and `--only a,b` (a subset by name). */
export function benchFlags(argv: string[]): { json: boolean; only: string[] | undefined } {
  const at = argv.indexOf('--only');
  return { json: argv.includes('--json'), only: at >= 0 ? argv[at + 1]?.split(',') : undefined };
}
