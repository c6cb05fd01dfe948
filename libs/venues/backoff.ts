/**
 * Reconnect delays: 1, 2, 4, 8, 16, 30 s (cap), each ± 500 ms of jitter so a fleet of collectors
 * that lost the venue together does not come back in lockstep. Pure: randomness is injected.
 */
export const BACKOFF_STEPS_MS = [1000, 2000, 4000, 8000, 16000, 30000] as const;
export const BACKOFF_JITTER_MS = 500;

export function backoffDelay(attempt: number, random: () => number = Math.random, steps: readonly number[] = BACKOFF_STEPS_MS, jitterMs = BACKOFF_JITTER_MS): number {
  const base = steps[Math.min(Math.max(attempt, 0), steps.length - 1)]!;
  return Math.max(0, Math.round(base + (random() * 2 - 1) * jitterMs));
}
