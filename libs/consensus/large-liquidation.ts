/**
 * Large liquidations (#16.4): one liquidation whose USD notional reaches the threshold is an
 * event of its own, ALERT kind LARGE_LIQUIDATION (P2). Exact decimal comparison; a liquidation
 * without a USD notional ("0": not in a USD-like group) never qualifies.
 */
import { Decimal, type AlertMessage, type LiquidationMessage } from '../core/index.js';
import { alert } from './alerts.js';

export const DEFAULT_LARGE_LIQUIDATION_USD = '500000';

/**
 * The alert for `l` (a consensus liquidation: id `${venue}:${id}`), or null below the threshold.
 * `csym` is the consensus group the instrument belongs to; ungrouped instruments use their venue symbol.
 */
export function largeLiquidationAlert(l: LiquidationMessage, thresholdUsd: string, csym: string | undefined): AlertMessage | null {
  let notional: Decimal;
  try {
    notional = new Decimal(l.notional_usd);
  } catch {
    return null;
  }
  if (notional.isZero() || notional.lt(thresholdUsd)) return null;
  return alert(
    csym ?? l.symbol,
    'LARGE_LIQUIDATION',
    l.venue,
    { id: l.id, venue: l.venue, venue_symbol: l.symbol, side: l.side, liquidated: l.liquidated, price: l.price, size: l.qty, notional_usd: l.notional_usd, liq_ts: l.ts },
    l.ts,
  );
}
