/**
 * The `bookfuse` command as users run it: a bad config value stops a service with a message
 * naming the variable; SIGTERM stops a service cleanly with exit 0; `bookfuse demo` starts the
 * whole system, answers on the ports it prints, and Ctrl-C stops every child.
 */
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/nats.js';
import { useNats } from '../helpers/nats-suite.js';
import { cliBuilt, liveBook, runCli, runDemo, waitOutput } from '../helpers/cli.js';

describe.runIf(cliBuilt())('the bookfuse command', () => {
  const nats = useNats();

  it('refuses bad configuration, naming every bad variable, and exits non-zero', async () => {
    const run = runCli(['collector'], { NATS_URL: nats.url, COLLECTOR_DEPTH: 'deep', COLLECTOR_PORT: '99999', COLLECTOR_VENUES: 'nope' });
    const { code } = await run.exited;
    expect(code).toBe(1);
    expect(run.out()).toContain('BAD_CONFIG');
    expect(run.out()).toContain('COLLECTOR_DEPTH');
    expect(run.out()).toContain('COLLECTOR_PORT');
    expect(run.out()).toContain('unknown venue nope');
  });

  it('stops a service cleanly on SIGTERM with exit code 0', async () => {
    const port = await freePort();
    const run = runCli(['merger'], { NATS_URL: nats.url, MERGER_PORT: String(port), LOG_LEVEL: 'info' });
    await waitOutput(run, /merger started/);
    run.proc.kill('SIGTERM');
    const { code } = await run.exited;
    expect(code).toBe(0);
    expect(run.out()).toContain('stopped');
  });

  it('`bookfuse demo` runs everything, serves the consensus, and Ctrl-C stops every child', async () => {
    const {
      run,
      ports: { gw, fh },
    } = await runDemo(nats.url);
    await waitOutput(run, /is running/, 30_000);
    expect(run.out()).toContain(`http://127.0.0.1:${gw}/?token=demo`);
    expect(run.out()).toContain(`ws://127.0.0.1:${fh}/ws/v1/liquidation/feed?token=demo`);
    const book = await liveBook(gw);
    expect(book.asks.length).toBe(5);
    run.proc.kill('SIGINT');
    const { code } = await run.exited;
    expect(code).toBe(0);
    expect(run.out()).toMatch(/stopped\.\s*$/);
  }, 90_000);
});
