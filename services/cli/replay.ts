/**
 * `bookfuse replay <capture.ndjson> --venue <id> [--depth N] [--instruments <file>] [--json]`:
 * a recording through the same parser, sync and book code as live data.
 */
import { readFile } from 'node:fs/promises';
import { createAdapter, replayFile, type ReplayResult } from '../../libs/venues/index.js';
import { flagString, parseArgs, UsageError } from './args.js';

export async function replay(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['json']);
  const file = args.positionals[0];
  const venue = flagString(args, 'venue');
  if (!file || !venue) throw new UsageError('usage: bookfuse replay <capture.ndjson> --venue <id> [--depth N] [--instruments <file>] [--json]');
  const depthRaw = flagString(args, 'depth') ?? '20';
  const depth = Number(depthRaw);
  if (!Number.isInteger(depth) || depth < 1) throw new UsageError(`--depth must be a positive integer, got ${depthRaw}`);
  const adapter = createAdapter(venue);
  const instFile = flagString(args, 'instruments');
  const instruments = instFile ? adapter.parseInstruments([JSON.parse(await readFile(instFile, 'utf8')) as unknown]) : undefined;
  const result = await replayFile(adapter, file, instruments ? { depth, instruments } : { depth });
  const out = { venue: result.venue, frames: result.frames, books: result.books, stats: result.stats };
  if (args.flags.has('json')) process.stdout.write(JSON.stringify(out) + '\n');
  else process.stdout.write(summary(result));
  return 0;
}

function summary(r: ReplayResult): string {
  const s = r.stats;
  const lines = [
    `${r.venue}: ${r.frames} frames`,
    `  snapshots ${s.snapshots}  deltas ${s.deltas}  gaps ${s.gaps}  resyncs ${s.resyncs}  crossed ${s.crossed}  rejected ${s.rejected}`,
    `  checksums ok ${s.checksum_ok}  failed ${s.checksum_failed}  trades ${s.trades}  liquidations ${s.liquidations}`,
  ];
  for (const [sym, b] of Object.entries(r.books)) {
    const bid = b.bids[0];
    const ask = b.asks[0];
    lines.push(`  ${sym.padEnd(12)} bid ${bid ? `${bid[1]} @ ${bid[0]}` : '-'}   ask ${ask ? `${ask[1]} @ ${ask[0]}` : '-'}   (${b.bids.length}/${b.asks.length} levels)`);
  }
  if (r.not_convertible.length) lines.push(`  not convertible exactly (kept out of books): ${r.not_convertible.join(', ')}`);
  return lines.join('\n') + '\n';
}
