/**
 * Files the widget page needs: its own assets (services/gateway/public) and the client library
 * as browser ES modules. Built (dist/), the gateway serves the tsc output of libs/client; run from
 * source (tests, tsx), it transpiles libs/client/*.ts on first request. No bundler, no new dependency.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const fromSource = import.meta.url.endsWith('.ts');

const PUBLIC_DIR = [join(here, 'public'), resolve(here, '../../../services/gateway/public')].find((d) => existsSync(d)) ?? join(here, 'public');
const CLIENT_DIR = resolve(here, '../../libs/client');
// Browser-safe modules the client shares with the rest of the house, served under the client's
// own file name (libs/client/backoff.ts and checks.ts only re-export core's for Node).
const CORE_DIR = resolve(here, '../../libs/core');
const FROM_CORE = new Set(['backoff.js', 'checks.js']);

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
/** the page is split into small modules by job; any flat file of these kinds in public/ is served */
const PUBLIC_FILE = /^[a-z][a-z0-9-]*\.(html|js|css)$/;
const MODULE = /^[a-z][a-z0-9-]*\.js$/;

export interface Asset {
  body: Buffer | string;
  type: string;
}

export async function publicAsset(name: string): Promise<Asset | undefined> {
  if (!PUBLIC_FILE.test(name)) return undefined;
  const file = join(PUBLIC_DIR, name);
  if (!existsSync(file)) return undefined;
  return { body: await readFile(file), type: TYPES[name.slice(name.lastIndexOf('.'))]! };
}

const transpiled = new Map<string, string>();

/** libs/client/<name>.js as a browser module, or undefined when there is no such module. */
export async function clientModule(name: string): Promise<Asset | undefined> {
  if (!MODULE.test(name)) return undefined;
  const type = TYPES['.js']!;
  const dir = FROM_CORE.has(name) ? CORE_DIR : CLIENT_DIR;
  if (!fromSource) {
    const file = join(dir, name);
    return existsSync(file) ? { body: await readFile(file), type } : undefined;
  }
  const cached = transpiled.get(name);
  if (cached) return { body: cached, type };
  const src = join(dir, name.replace(/\.js$/, '.ts'));
  if (!existsSync(src)) return undefined;
  const ts = (await import('typescript')).default;
  const out = ts.transpileModule(await readFile(src, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  }).outputText;
  transpiled.set(name, out);
  return { body: out, type };
}
