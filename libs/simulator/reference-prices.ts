/**
 * Starting mids for synthetic markets, per base asset, in quote units. Every venue's simulator
 * starts from the same reference so the consensus starts converged; faults move them apart.
 */
export const REFERENCE_MIDS: Record<string, string> = {
  BTC: '98500',
  ETH: '3500',
  SOL: '180',
  XRP: '2.1',
  DOGE: '0.38',
  PEPE: '0.00001850',
};

export function referenceMid(base: string): string {
  return REFERENCE_MIDS[base.toUpperCase()] ?? '100';
}
