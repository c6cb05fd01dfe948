/**
 * The firehose benchmark's cases, the figures each reports and the targets they are judged by:
 * pure, so the verdicts are testable without starting a run.
 */
export interface FirehoseCaseSpec {
  name: string;
  rate: number;
  clients: number;
  slow_fraction: number;
}

export interface FirehoseCase extends FirehoseCaseSpec {
  delivered_per_s: number;
  p50_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
  /** 1 − fewest frames received / published, among the reading clients the server kept */
  healthy_loss: number;
  /** reading (not stalled) clients the server dropped as slow consumers: they count against zero loss */
  readers_dropped: number;
  slow_dropped: number;
  /** slow consumers closed, by the bound that closed them (`messages`, `bytes` queue caps, `lag` probe); the case's is its worst round's */
  slow_dropped_by?: Record<string, number>;
  rss_mb: number;
  baseline_delivered_per_s: number;
  baseline_p50_ms: number | null;
  baseline_p99_ms: number | null;
  baseline_healthy_loss: number;
  baseline_rss_mb: number;
  ratio: number;
  order_errors: number;
  /** CPU time / wall time of the server and of the clients process (both include the drain) */
  server_cpu_cores: number;
  clients_cpu_cores: number;
  /** the firehose's own publish → socket hand-over p99 (metrics histogram bucket bound) */
  server_handover_p99_ms: number | null;
  /** how far behind the clients read, by the firehose's lag probes: p99 (bucket bound) */
  client_lag_p99_ms: number | null;
  baseline_server_cpu_cores: number;
  /** share of the load's time in which some runnable task waited for a CPU (Linux PSI), per run */
  cpu_pressure: number | null;
  baseline_cpu_pressure: number | null;
  /** every round's own figures (the case's figures are their medians; loss and RSS the worst) */
  rounds?: Omit<FirehoseCase, keyof FirehoseCaseSpec | 'rounds'>[];
}

/** issue 6's cases; saturation offers far more than either server can fan out */
export const DEFAULT_CASES: FirehoseCaseSpec[] = [
  { name: '2k/s x 500', rate: 2_000, clients: 500, slow_fraction: 0 },
  { name: '20k/s x 100', rate: 20_000, clients: 100, slow_fraction: 0 },
  { name: 'saturation', rate: 40_000, clients: 100, slow_fraction: 0 },
  { name: '2k/s x 500, 10% stalled', rate: 2_000, clients: 500, slow_fraction: 0.1 },
];

/** Which bounds closed a case's slow consumers (its worst round), where any did. */
function closedBy(c: FirehoseCase): string {
  const by = Object.entries(c.slow_dropped_by ?? {}).filter(([, n]) => n > 0);
  return by.length ? ` (slow consumers closed by ${by.map(([reason, n]) => `${reason}: ${n}`).join(', ')})` : '';
}

/**
 * The targets as ratios to the bare broadcast of the same run: p50 ≤ baseline p50 + 1 ms and
 * p99 ≤ 1.25 × baseline p99 with zero loss at moderate load, saturation ≥ 0.8 × baseline, and
 * stalled readers costing the healthy ones at most 20 % of p99.
 */
export function targets(byName: Map<string, FirehoseCase>): string[] {
  const out: string[] = [];
  const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
  const check = (name: string) => {
    const c = byName.get(name);
    if (!c) return;
    const p50Ok = c.p50_ms !== null && c.baseline_p50_ms !== null && c.p50_ms <= c.baseline_p50_ms + 1;
    const p99Ok = c.p99_ms !== null && c.baseline_p99_ms !== null && c.p99_ms <= 1.25 * c.baseline_p99_ms;
    out.push(
      `${name}: zero loss ${verdict(c.healthy_loss === 0 && c.readers_dropped === 0)}${closedBy(c)}; p50 ≤ bare p50 + 1 ms ${verdict(p50Ok)} (${c.p50_ms} vs ${c.baseline_p50_ms} ms); p99 ≤ 1.25 × bare p99 ${verdict(p99Ok)} (${c.p99_ms} vs ${c.baseline_p99_ms} ms)`,
    );
  };
  check(DEFAULT_CASES[0]!.name);
  check(DEFAULT_CASES[1]!.name);
  const sat = byName.get(DEFAULT_CASES[2]!.name);
  if (sat) out.push(`saturation ≥ 0.8 × bare ws: ${verdict(sat.ratio >= 0.8)} (ratio ${sat.ratio}; readers that fell behind and were dropped as slow consumers: ${sat.readers_dropped} of ${sat.clients}, worst round${closedBy(sat)})`);
  const calm = byName.get(DEFAULT_CASES[0]!.name);
  const stalled = byName.get(DEFAULT_CASES[3]!.name);
  if (calm?.p99_ms != null && stalled?.p99_ms != null) {
    out.push(`10 % stalled: healthy p99 within 20 % of the run without them ${verdict(stalled.p99_ms <= calm.p99_ms * 1.2)} (${stalled.p99_ms} vs ${calm.p99_ms} ms), healthy loss ${stalled.healthy_loss}, readers dropped ${stalled.readers_dropped}, stalled dropped ${stalled.slow_dropped - stalled.readers_dropped}, RSS ${stalled.rss_mb} MB vs ${calm.rss_mb} MB`);
  }
  return out;
}
