/** Running the built `bookfuse` command as a user would (tests run after `npm run build`). */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from './nats.js';
import { waitFor } from './waits.js';

export const CLI = resolve('dist/services/cli/main.js');

export function cliBuilt(): boolean {
  return existsSync(CLI);
}

export interface CliRun {
  proc: ChildProcess;
  out: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv): CliRun {
  const proc = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  return { proc, out: () => out, exited };
}

export async function waitOutput(run: CliRun, re: RegExp, timeoutMs = 20_000): Promise<void> {
  await waitFor(() => re.test(run.out()), { timeoutMs, what: `output matching ${re}` });
}

export interface DemoPorts {
  sim: number;
  gw: number;
  fh: number;
  col: number;
  mer: number;
}

/** `bookfuse demo` against `natsUrl` with every service on a free port (`env` on top). */
export async function runDemo(natsUrl: string, env: NodeJS.ProcessEnv = {}): Promise<{ run: CliRun; ports: DemoPorts }> {
  const [sim, gw, fh, col, mer] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const run = runCli(['demo'], {
    NATS_URL: natsUrl,
    SIM_PORT: String(sim),
    GATEWAY_PORT: String(gw),
    FIREHOSE_PORT: String(fh),
    COLLECTOR_PORT: String(col),
    MERGER_PORT: String(mer),
    LOG_LEVEL: 'warn',
    ...env,
  });
  return { run, ports: { sim, gw, fh, col, mer } };
}

export interface RestBook {
  ts: number;
  bids: unknown[];
  asks: unknown[];
  venues: Record<string, { state: string }>;
}

/**
 * The BTC-USD top 5 from the gateway on `gwPort` over REST, once it is full, fed by a live venue
 * and newer than `since` (exchange ms). A gateway still starting (not listening) is waited for.
 */
export function liveBook(gwPort: number, opts: { since?: number; timeoutMs?: number } = {}): Promise<RestBook> {
  const since = opts.since ?? 0;
  return waitFor(
    async () => {
      const r = await fetch(`http://127.0.0.1:${gwPort}/v1/books/BTC-USD?depth=5&token=demo`).catch(() => null);
      if (!r?.ok) return null;
      const b = (await r.json()) as RestBook;
      return b.ts > since && b.bids.length === 5 && Object.values(b.venues).some((v) => v.state === 'live') ? b : null;
    },
    { timeoutMs: opts.timeoutMs ?? 30_000, what: `a live consensus book on gateway ${gwPort}` },
  );
}
