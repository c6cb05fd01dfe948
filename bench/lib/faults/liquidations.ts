/**
 * Liquidations end to end, judged from outside: what the simulator says it sent
 * (`GET /truth/liquidations`) against what a firehose reader received. Ids are compared through
 * liquidationMatchKey (the simulator's ids are canonical; a parser may write "0.10").
 */
import { liquidationMatchKey } from '../../../libs/consensus/index.js';
import type { SentLiquidation } from '../../../libs/simulator/index.js';

export type { SentLiquidation };

export interface DeliveredLiquidation {
  id: string;
  seq: number;
  venue: string;
  ts: number;
}

export interface LiquidationVerdict {
  /** sent in the window, never delivered */
  lost: number;
  /** delivered more than once (counted once per extra copy) */
  dup: number;
  /** delivered in the window, never sent (a wrong id or a phantom) */
  phantom: number;
  /** sent in the window */
  sent: number;
  /** a few lost ids, for a failure message */
  lostIds: string[];
}

export async function fetchSentLiquidations(simUrl: string, opts: { venue?: string; since?: number } = {}): Promise<SentLiquidation[]> {
  const q = new URLSearchParams();
  if (opts.venue) q.set('venue', opts.venue);
  q.set('since', String(Math.max(0, Math.floor(opts.since ?? 0))));
  const r = await fetch(`${simUrl}/truth/liquidations?${q}`);
  if (!r.ok) throw new Error(`GET /truth/liquidations: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { liquidations: SentLiquidation[] }).liquidations;
}

/**
 * Compare inside [since, until] (venue event time): entries of either side outside the window
 * are ignored, so consecutive windows judge each liquidation once.
 */
export function compareLiquidations(sent: readonly SentLiquidation[], delivered: readonly DeliveredLiquidation[], window: { since: number; until: number }): LiquidationVerdict {
  const inWindow = (ts: number) => ts >= window.since && ts <= window.until;
  const counts = new Map<string, number>();
  for (const d of delivered) {
    const k = liquidationMatchKey(d.id);
    counts.set(k, (counts.get(k) ?? 0) + (inWindow(d.ts) ? 1 : 0));
  }
  let dup = 0;
  for (const n of counts.values()) if (n > 1) dup += n - 1;
  const sentKeys = new Set<string>();
  let lost = 0;
  let n = 0;
  const lostIds: string[] = [];
  for (const s of sent) {
    if (!inWindow(s.ts)) continue;
    n++;
    sentKeys.add(s.id);
    if (!counts.get(s.id)) {
      lost++;
      if (lostIds.length < 5) lostIds.push(s.id);
    }
  }
  let phantom = 0;
  for (const d of delivered) if (inWindow(d.ts) && !sentKeys.has(liquidationMatchKey(d.id))) phantom++;
  return { lost, dup, phantom, sent: n, lostIds };
}
