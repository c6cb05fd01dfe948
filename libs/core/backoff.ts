/**
 * Reconnect delays: 1, 2, 4, 8, 16 s, then 30 s for ever, each ± 500 ms of jitter so a gateway
 * restart is not met by every widget at the same instant. `random` is injected for tests.
 * Shared by the venue feeds, the collector and the client; browser-safe (no imports): the gateway
 * serves this file as the client's backoff.js (services/gateway/assets.ts).
 */
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = 30_000;
export const BACKOFF_JITTER_MS = 500;

/** Delay before reconnect attempt `attempt` (0 = first retry after a drop). */
export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 15));
  const jitter = (random() * 2 - 1) * BACKOFF_JITTER_MS;
  return Math.max(0, Math.round(base + jitter));
}
