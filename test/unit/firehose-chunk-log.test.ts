/** The fan-out's short memory: what a client at any position is handed, and what is kept. */
import { describe, expect, it } from 'vitest';
import { ChunkLog } from '../../services/firehose/chunk-log.js';
import type { HubItem } from '../../services/firehose/hub.js';

/** symbol null: a control item (a GAP), which every client gets */
const item = (seq: number, symbol: string | null = 'BTC-USDT'): HubItem => ({
  seq,
  frame: Buffer.from(`[${seq}]`),
  ...(symbol === null ? {} : { symbol, venue: 'okx-swap' }),
});
const seqsIn = (b: Buffer | undefined): number[] => [...(b?.toString().matchAll(/\[(\d+)\]/g) ?? [])].map((m) => Number(m[1]));

function logOf(...chunks: number[][]): ChunkLog {
  const log = new ChunkLog();
  chunks.forEach((seqs, i) => log.seal(seqs.map((s) => item(s)), i));
  return log;
}

describe('ChunkLog', () => {
  it('hands a client everything after its position, across chunks, as one buffer', () => {
    const log = logOf([1, 2, 3], [4, 5], [6]);
    expect(seqsIn(log.since(0)?.frame)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.since(3)).toMatchObject({ messages: 3 });
    expect(seqsIn(log.since(3)?.frame)).toEqual([4, 5, 6]);
    expect(log.since(6)).toBeUndefined();
  });

  it('a position inside a chunk (a replay that turned live mid-chunk) gets only the seqs after it', () => {
    const log = logOf([1, 2, 3], [4, 5]);
    const slice = log.since(2);
    expect(seqsIn(slice?.frame)).toEqual([3, 4, 5]);
    expect(slice?.messages).toBe(3);
  });

  it('clients at the same position share the same bytes until the log changes', () => {
    const log = logOf([1, 2], [3]);
    expect(log.since(0)!.frame).toBe(log.since(0)!.frame);
    const before = log.since(0)!.frame;
    log.seal([item(4)], 2);
    expect(log.since(0)!.frame).not.toBe(before);
    expect(seqsIn(log.since(0)!.frame)).toEqual([1, 2, 3, 4]);
  });

  it('filtered clients get the matching frames and every control item', () => {
    const log = new ChunkLog();
    log.seal([item(1, 'BTC-USDT'), item(2, 'ETH-USDT'), item(3, null), item(4, 'ETH-USDT')], 0);
    const eth = log.matching(0, (i) => i.symbol === 'ETH-USDT');
    expect(seqsIn(eth?.frame)).toEqual([2, 3, 4]);
    expect(eth?.messages).toBe(3);
    expect(log.matching(4, () => true)).toBeUndefined();
    expect(log.matching(0, () => false)?.messages).toBe(1); // the GAP-like control item still goes
  });

  it('trim drops only whole chunks every client is past, and returns them', () => {
    const log = logOf([1, 2], [3, 4], [5]);
    expect(log.trim(3).map((c) => [c.first, c.last])).toEqual([[1, 2]]);
    expect(log.size).toBe(2);
    expect(seqsIn(log.since(2)?.frame)).toEqual([3, 4, 5]);
    expect(log.oldestSealedMs).toBe(1);
    log.trim(5);
    expect(log.size).toBe(0);
    expect(log.oldestSealedMs).toBeUndefined();
  });
});
