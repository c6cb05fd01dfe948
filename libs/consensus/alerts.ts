/**
 * Alert priorities are part of the contract (#4, #16.3): one table, kind → priority, and each
 * priority's delivery target (merger detection → client), documented in docs/protocol.md.
 */
import type { AlertKind, AlertMessage } from '../core/index.js';

export type AlertPriority = AlertMessage['priority'];

export const ALERT_PRIORITY: Readonly<Record<AlertKind, AlertPriority>> = {
  STALE: 'P0',
  DIVERGENCE: 'P1',
  RESYNC: 'P1',
  RECOVERED: 'P2',
  CONVERGED: 'P2',
  LARGE_LIQUIDATION: 'P2',
};

/** Delivery target per priority, from detection in the merger to the client's socket. */
export const PRIORITY_TARGET_MS: Readonly<Record<AlertPriority, number>> = { P0: 100, P1: 500, P2: 2000 };

export function alert(symbol: string, kind: AlertKind, venue: string, detail: Record<string, unknown>, ts: number): AlertMessage {
  return { v: 1, symbol, kind, venue, priority: ALERT_PRIORITY[kind], detail, ts };
}
