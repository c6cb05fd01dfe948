/**
 * Faults under load (issue 13 item 8): the chain as real processes (nats-server, simulator,
 * collector, merger, gateway, firehose), two book followers on the gateway and two firehose
 * readers connected throughout. Each fault is kill -9 (restart after 1 s) or SIGSTOP (SIGCONT
 * after 3 s) of one part. After each: nothing else crashed, the clients are live again with no
 * seq break left unhealed, every book equals the simulator's truth, and the liquidations the
 * venues sent reached the readers exactly once (compared with GET /truth/liquidations). A
 * collector that is down cannot receive what the venues send meanwhile: its kill is allowed
 * those losses, never a duplicate.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cliBuilt } from '../helpers/cli.js';
import { killFault, runFaults, singleNodeSpec, singleVenueBooks, stopFault, type FaultReport } from '../../bench/lib/faults/index.js';

const STOP_MS = 3000;
const FAULTS = [
  killFault('nats'),
  stopFault('nats', STOP_MS),
  killFault('merger'),
  stopFault('merger', STOP_MS),
  killFault('firehose'),
  stopFault('firehose', STOP_MS),
  stopFault('collector', STOP_MS),
  killFault('collector'),
];

describe.runIf(cliBuilt())('faults under load, the chain as processes', () => {
  const reports = new Map<string, FaultReport>();
  let logDir = '';

  beforeAll(async () => {
    const run = await runFaults({ spec: singleNodeSpec(), faults: FAULTS, books: singleVenueBooks(), warmupMs: 1000, betweenMs: 500 });
    for (const r of run.reports) reports.set(r.fault, r);
    logDir = run.logDir;
  }, 240_000);

  const report = (name: string): FaultReport => {
    const r = reports.get(name);
    if (!r) throw new Error(`fault ${name} did not run`);
    return r;
  };

  for (const f of FAULTS) {
    it(`${f.name}: nothing else crashes, clients resume with books equal to the truth, no seq break left unhealed`, () => {
      const r = report(f.name);
      expect(r.crashed, `crashed (logs in ${logDir})`).toEqual([]);
      expect(r.recovered_ms, 'clients live again').not.toBeNull();
      expect(r.seq_breaks_unhealed).toBe(0);
      expect(r.books_exact).toBe(true);
    });

    it(`${f.name}: liquidations end to end are ${f.name === 'collector-kill' ? 'never duplicated' : 'neither lost nor duplicated'}`, () => {
      const r = report(f.name);
      expect(r.liq_sent).toBeGreaterThan(20);
      expect(r.liq_dup).toBe(0);
      expect(r.liq_phantom).toBe(0);
      if (f.name !== 'collector-kill') expect({ lost: r.liq_lost, ids: r.lost_ids }).toEqual({ lost: 0, ids: [] });
    });
  }
});
