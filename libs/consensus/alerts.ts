/** Alert priorities are part of the contract (issue 4): a stale venue pages, recoveries inform. */
import type { AlertKind, AlertMessage } from '../core/index.js';

export const ALERT_PRIORITY: Readonly<Record<AlertKind, AlertMessage['priority']>> = {
  STALE: 'P0',
  DIVERGENCE: 'P1',
  RESYNC: 'P1',
  RECOVERED: 'P2',
  CONVERGED: 'P2',
};

export function alert(symbol: string, kind: AlertKind, venue: string, detail: Record<string, unknown>, ts: number): AlertMessage {
  return { v: 1, symbol, kind, venue, priority: ALERT_PRIORITY[kind], detail, ts };
}
