/**
 * `npm run bench:faults [-- --json] [--no-write] [--only name,name]` (issue 13 item 9): the faults
 * of a single-node deployment (the demo's topology, as processes: nats-server, simulator,
 * collector, merger, gateway, firehose) with book followers and firehose readers connected, and
 * what each fault cost them. Writes the `faults` section of docs/benchmarks.md.
 * JSON: {"faults":[{"fault","recovered_ms","stall_ms","liq_lost","liq_dup","seq_breaks_unhealed","books_exact"}]}
 */
import { pathToFileURL } from 'node:url';
import { describeMachine, machineLine } from './lib/machine.js';
import { benchFlags } from './lib/suite.js';
import { DEFAULT_DOC } from './lib/paths.js';
import { updateDocFile } from './report.js';
import { runFaults, singleNodeSpec, singleVenueBooks, standardFaults, type FaultFigures, type FaultReport } from './lib/faults/index.js';

/** liq_lost and liq_dup must be 0 for these (issue 13 "Done when"); seq_breaks_unhealed 0 for all */
export const NO_LOSS_FAULTS = ['nats-kill', 'nats-stop-10s', 'merger-kill', 'firehose-kill'];

export function figures(r: FaultReport): FaultFigures {
  const { fault, recovered_ms, stall_ms, liq_lost, liq_dup, seq_breaks_unhealed, books_exact } = r;
  return { fault, recovered_ms, stall_ms, liq_lost, liq_dup, seq_breaks_unhealed, books_exact };
}

export function targetsMet(r: FaultReport): boolean {
  const noLoss = !NO_LOSS_FAULTS.includes(r.fault) || (r.liq_lost === 0 && r.liq_dup === 0);
  return noLoss && r.seq_breaks_unhealed === 0 && r.crashed.length === 0;
}

export function markdown(reports: FaultReport[], when: Date, machine: string): string {
  const rows = reports.map(
    (r) =>
      `| ${r.fault} | ${r.recovered_ms ?? 'not live'} | ${r.stall_ms} | ${r.liq_lost} | ${r.liq_dup} | ${r.seq_breaks_unhealed} | ${r.books_exact ? 'yes' : 'NO'} | ${r.liq_sent} | ${r.crashed.length ? r.crashed.join(', ') : 'none'} | ${targetsMet(r) ? 'met' : 'MISSED'} |`,
  );
  return [
    '## Faults (`npm run bench:faults`)',
    '',
    'The single-node topology as processes (nats-server, simulator, collector, merger, gateway, firehose), two consensus',
    'book followers (seq-checked, RESYNC on a break) and two firehose readers (reconnecting with `?after=<last seq>`)',
    'connected throughout. Each fault is done and undone (restart after 1 s, or SIGCONT); then the clients must be live,',
    'the venues are held still and every followed book is compared with the simulator\'s truth, and the readers\' liquidations',
    'with `GET /truth/liquidations` over the fault\'s window.',
    '',
    '| fault | recovered_ms | stall_ms | liq_lost | liq_dup | seq_breaks_unhealed | books_exact | liquidations judged | crashed | targets |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'recovered_ms: from the fault until every client is live again (end of the last stall ≥ 750 ms a follower saw, or a',
    'reader\'s reconnect). stall_ms: the longest a followed book went without a consensus update that changed a level. Targets: liq_lost 0 and',
    `liq_dup 0 for ${NO_LOSS_FAULTS.join(', ')}; seq_breaks_unhealed 0 and no crash everywhere. collector-kill loses what`,
    'the venues sent while no collector was connected: one collector cannot receive it (A/B collector lines, issue 14, can).',
    '',
    `Measured ${when.toISOString()} on ${machine}.`,
  ].join('\n');
}

async function cli(argv: string[]): Promise<void> {
  const { json, only } = benchFlags(argv);
  const faults = standardFaults().filter((f) => !only || only.includes(f.name));
  const machine = machineLine(describeMachine());
  const run = await runFaults({
    spec: singleNodeSpec(),
    faults,
    books: singleVenueBooks(),
    onFault: (r) => {
      if (!json) process.stderr.write(`${r.fault}: ${JSON.stringify({ ...figures(r), crashed: r.crashed, liq_sent: r.liq_sent, seq_breaks: r.seq_breaks })}\n`);
    },
  });
  const md = markdown(run.reports, new Date(), machine);
  if (!argv.includes('--no-write')) await updateDocFile(DEFAULT_DOC(), [{ name: 'faults', body: md }]);
  if (json) process.stdout.write(`${JSON.stringify({ faults: run.reports.map(figures) })}\n`);
  else process.stdout.write(`${md}\n\nprocess logs: ${run.logDir}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  cli(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`bench:faults: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
