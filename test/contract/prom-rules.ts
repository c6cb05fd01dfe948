/**
 * The naming rules `promtool check metrics` applies (and a few it does not: `_bps`, counter family
 * names clashing with another metric), for machines without promtool and as a stricter second pass.
 */
import { spawnSync } from 'node:child_process';

export interface MetricFamily {
  name: string;
  type: string;
}

/** `# TYPE` lines of a Prometheus text exposition. */
export function families(exposition: string): MetricFamily[] {
  return [...exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => ({ name: m[1]!, type: m[2]! }));
}

const ABBREVIATED_UNITS = ['ms', 'us', 'ns', 'sec', 'secs', 'kb', 'mb', 'gb', 'kib', 'mib', 'gib', 'bps', 'pct', 'percent'];

export function ruleProblems(exposition: string): string[] {
  const fams = families(exposition);
  const names = new Set(fams.map((f) => f.name));
  const out: string[] = [];
  for (const { name, type } of fams) {
    if (!/^bookfuse_[a-z][a-z0-9_]*$/.test(name)) out.push(`${name}: not bookfuse_ snake_case`);
    const words = name.split('_');
    for (const u of ABBREVIATED_UNITS) if (words.includes(u)) out.push(`${name}: abbreviated unit "${u}" (use base units: seconds, bytes, ratio)`);
    if (type === 'counter' && !name.endsWith('_total')) out.push(`${name}: counter without _total`);
    if (type !== 'counter' && name.endsWith('_total')) out.push(`${name}: ${type} ends in _total (counters only)`);
    if (type === 'counter' && names.has(name.slice(0, -'_total'.length))) out.push(`${name}: its family name is another metric's name`);
  }
  return out;
}

/** promtool's verdict on an exposition, or null where promtool is not installed. */
export function promtoolProblems(exposition: string): string[] | null {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if (r.error) return null;
  return `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() !== '');
}
