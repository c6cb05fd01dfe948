/**
 * #14.5: `bookfuse demo --cluster` on one machine: three nats-server nodes in one JetStream
 * cluster, the simulator, two collectors, two mergers, two gateways and two firehoses, all
 * supervised (a NATS node killed -9 is started again too); it prints where everything listens,
 * both gateways serve a live consensus book, both firehoses accept readers, and Ctrl-C stops
 * every process including the NATS nodes.
 * Every port is moved to a free one (the demo's own ports may be in use on a test machine).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/nats.js';
import { cliBuilt, liveBook, runCli, waitOutput } from '../helpers/cli.js';
import { waitFor } from '../helpers/waits.js';
import { alive } from '../helpers/process.js';
import { JsonSocket } from '../helpers/ws-json.js';
import { portAnswers } from '../../services/cli/nats-server.js';

describe.runIf(cliBuilt())('bookfuse demo --cluster', () => {
  it('runs two of each service on a three-node NATS cluster, serves on every port it prints, and SIGINT stops all', async () => {
    const p = await Promise.all(Array.from({ length: 18 }, () => freePort()));
    const list = (a: number, n: number) => p.slice(a, a + n).join(',');
    const natsPorts = p.slice(0, 3);
    const run = runCli(['demo', '--cluster'], {
      BOOKFUSE_DEMO_NATS_PORTS: list(0, 3),
      BOOKFUSE_DEMO_NATS_CLUSTER_PORTS: list(3, 3),
      BOOKFUSE_DEMO_NATS_MONITOR_PORTS: list(6, 3),
      SIM_PORT: String(p[9]),
      COLLECTOR_PORTS: list(10, 2),
      MERGER_PORTS: list(12, 2),
      GATEWAY_PORTS: list(14, 2),
      FIREHOSE_PORTS: list(16, 2),
      LOG_LEVEL: 'warn',
    });
    const [gw1, gw2, fh1, fh2] = [p[14]!, p[15]!, p[16]!, p[17]!];
    let pids: number[] = [];
    try {
      await waitOutput(run, /processes .*\n/, 60_000);
      const out = run.out();
      expect(out).toContain(`nats://127.0.0.1:${natsPorts[0]},nats://127.0.0.1:${natsPorts[1]},nats://127.0.0.1:${natsPorts[2]}`);
      for (const port of [gw1, gw2]) expect(out).toContain(`http://127.0.0.1:${port}/?token=demo`);
      for (const port of [fh1, fh2]) expect(out).toContain(`ws://127.0.0.1:${port}/ws/v1/liquidation/feed?token=demo`);
      const names = [...out.matchAll(/(simulator|collector-[ab]|merger-\d|gateway-\d|firehose-\d) (\d+)/g)];
      expect(names.map((m) => m[1]).sort()).toEqual(['collector-a', 'collector-b', 'firehose-1', 'firehose-2', 'gateway-1', 'gateway-2', 'merger-1', 'merger-2', 'simulator']);
      pids = names.map((m) => Number(m[2]));

      // a child may still be starting (or restarting) on a busy machine: liveBook waits for it
      for (const gw of [gw1, gw2]) await liveBook(gw, { timeoutMs: 40_000 });
      for (const fh of [fh1, fh2]) {
        await waitFor(() => portAnswers('127.0.0.1', fh), { timeoutMs: 40_000, what: `firehose ${fh} listening` });
        const ws = new JsonSocket(`ws://127.0.0.1:${fh}/ws/v1/liquidation/feed?token=demo`);
        await ws.open();
        ws.close();
      }

      // a NATS node the demo started is supervised too: kill -9 it and it comes back on its port
      const nodePid = Number(execFileSync('pgrep', ['-f', `nats-server -a 127.0.0.1 -p ${natsPorts[1]} `]).toString().trim().split('\n')[0]);
      process.kill(nodePid, 'SIGKILL');
      await waitOutput(run, /nats bookfuse-n2 died; restart #1 in 1 s/, 10_000);
      await waitOutput(run, /nats bookfuse-n2 restarted/, 20_000);
      expect(await portAnswers('127.0.0.1', natsPorts[1]!)).toBe(true);

      run.proc.kill('SIGINT');
      const { code } = await run.exited;
      expect(code).toBe(0);
      expect(run.out()).toContain('child restarts during the run: 1');
      expect(run.out()).toMatch(/stopped\.\s*$/);
      for (const pid of pids) expect(alive(pid), String(pid)).toBe(false);
      for (const port of natsPorts) expect(await portAnswers('127.0.0.1', port), `NATS node on ${port}`).toBe(false);
    } finally {
      if (run.proc.exitCode === null) run.proc.kill('SIGINT');
      await run.exited;
      for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 150_000);
});
