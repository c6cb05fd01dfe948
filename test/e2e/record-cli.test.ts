/**
 * `bookfuse record` writes the capture format from a venue (here the simulator), REST snapshots
 * included where their responses arrived, and `bookfuse replay` syncs from that file with no gap.
 */
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBuilt, runCli } from '../helpers/cli.js';
import { loadSimulatorConfig } from '../../services/simulator/config.js';
import { startSimulator } from '../../services/simulator/simulator.js';

describe.runIf(cliBuilt())('bookfuse record → bookfuse replay', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  beforeAll(async () => {
    sim = await startSimulator(loadSimulatorConfig({ SIM_PORT: '0', SIM_VENUES: 'binance-usdm,bybit-linear', SIM_BASES: 'BTC,ETH', SIM_LIQUIDATIONS_PER_S: '2' }));
  });
  afterAll(async () => {
    sim.world.stop();
    await sim.server.close();
  });

  it.each([
    ['binance-usdm', 'BTCUSDT,ETHUSDT'],
    ['bybit-linear', 'BTCUSDT'],
  ])('%s: the recording replays exactly, with no gap', async (venue, symbols) => {
    const out = join(mkdtempSync(join(tmpdir(), 'bookfuse-rec-')), 'rec.ndjson');
    const rec = runCli(['record', '--venue', venue, '--symbols', symbols, '--out', out, '--seconds', '3'], { COLLECTOR_SIMULATOR_URL: sim.server.url, LOG_LEVEL: 'warn' });
    const { code } = await rec.exited;
    expect(code, rec.out()).toBe(0);
    const lines = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { t: number; src: string; url?: string });
    expect(lines.every((l) => typeof l.t === 'number' && (l.src === 'ws' || l.src === 'rest'))).toBe(true);
    expect(lines.filter((l) => l.src === 'ws').length).toBeGreaterThan(10);

    const rep = runCli(['replay', out, '--venue', venue, '--depth', '10', '--json'], {});
    expect((await rep.exited).code, rep.out()).toBe(0);
    const r = JSON.parse(rep.out()) as { books: Record<string, unknown>; stats: Record<string, number> };
    expect(r.stats).toMatchObject({ gaps: 0, resyncs: 0, crossed: 0, rejected: 0 });
    expect(r.stats['snapshots']).toBeGreaterThanOrEqual(symbols.split(',').length);
    expect(Object.keys(r.books).length).toBe(symbols.split(',').length);
  });
});
