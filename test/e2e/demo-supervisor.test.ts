/**
 * #13.4: the demo supervises its children. kill -9 of the merger no longer stops the demo: the
 * merger is restarted (after 1 s), the restart is logged and counted, and the gateway serves a
 * live consensus book again; Ctrl-C (SIGINT) still stops every child and the demo exits 0.
 */
import { describe, expect, it } from 'vitest';
import { useNats } from '../helpers/nats-suite.js';
import { cliBuilt, liveBook, runDemo, waitOutput } from '../helpers/cli.js';
import { alive } from '../helpers/process.js';

describe.runIf(cliBuilt())('bookfuse demo supervises its children', () => {
  const nats = useNats();

  it('restarts a merger killed with -9, the gateway serves a live book again, and SIGINT stops all', async () => {
    const {
      run,
      ports: { gw },
    } = await runDemo(nats.url);
    let pids: Record<string, number> = {};
    try {
      await waitOutput(run, /processes .*\n/, 40_000);
      pids = Object.fromEntries([...run.out().matchAll(/(simulator|collector|merger|gateway|firehose) (\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
      expect(Object.keys(pids).sort()).toEqual(['collector', 'firehose', 'gateway', 'merger', 'simulator']);
      await liveBook(gw);

      const killedAt = Date.now();
      process.kill(pids['merger']!, 'SIGKILL');
      await waitOutput(run, /merger exited \(SIGKILL\).*restart #1 in 1 s \(restarts: 1 in all\)/, 10_000);
      await waitOutput(run, /merger restarted \(pid \d+, restart #1\)/, 10_000);
      await liveBook(gw, { since: killedAt + 500 });
      for (const name of ['simulator', 'collector', 'gateway', 'firehose']) expect(alive(pids[name]!), name).toBe(true);

      const merger2 = Number(/merger restarted \(pid (\d+)/.exec(run.out())![1]);
      run.proc.kill('SIGINT');
      const { code } = await run.exited;
      expect(code).toBe(0);
      expect(run.out()).toContain('child restarts during the run: 1');
      expect(run.out()).toMatch(/stopped\.\s*$/);
      for (const pid of [...Object.values(pids), merger2]) expect(alive(pid), String(pid)).toBe(false);
    } finally {
      if (run.proc.exitCode === null) run.proc.kill('SIGKILL');
      const restarted = [...run.out().matchAll(/restarted \(pid (\d+)/g)].map((m) => Number(m[1]));
      for (const pid of [...Object.values(pids), ...restarted]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 120_000);
});
