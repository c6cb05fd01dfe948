import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetryLoop } from '../../../libs/core/index.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('retry loop', () => {
  it('reports each failed attempt and waits 100 ms doubling up to its cap before the next', async () => {
    const startedAt: number[] = [];
    const errors: string[] = [];
    const loop = new RetryLoop(
      async () => {
        startedAt.push(Date.now());
        throw new Error(`attempt ${startedAt.length}`);
      },
      { maxDelayMs: 500, onError: (e) => errors.push(e.message) },
    );
    const t0 = Date.now();
    loop.start();
    await vi.advanceTimersByTimeAsync(100 + 200 + 400 + 500 + 500);
    expect(startedAt.map((t) => t - t0)).toEqual([0, 100, 300, 700, 1200, 1700]);
    expect(errors).toEqual(['attempt 1', 'attempt 2', 'attempt 3', 'attempt 4', 'attempt 5', 'attempt 6']);
    await stopSoon(loop);
  });

  it('waits only 100 ms again after an attempt got running, whatever failed before it', async () => {
    const startedAt: number[] = [];
    let n = 0;
    const loop = new RetryLoop(
      async (running) => {
        startedAt.push(Date.now());
        n++;
        if (n === 3) running(() => undefined); // the third gets going, then its session ends
        if (n !== 3) throw new Error('refused');
      },
      { maxDelayMs: 5_000, onError: () => undefined },
    );
    const t0 = Date.now();
    loop.start();
    await vi.advanceTimersByTimeAsync(100 + 200 + 100);
    expect(startedAt.map((t) => t - t0)).toEqual([0, 100, 300, 400]);
    await stopSoon(loop);
  });

  it('stop ends the running session, reports nothing and starts no other attempt', async () => {
    let attempts = 0;
    const errors: Error[] = [];
    const loop = new RetryLoop(
      (running) => {
        attempts++;
        return new Promise<void>((_resolve, reject) => running(() => reject(new Error('session ended'))));
      },
      { maxDelayMs: 1_000, onError: (e) => errors.push(e) },
    );
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    await loop.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(attempts).toBe(1);
    expect(errors).toEqual([]);
  });
});

/** stop() waits out the loop's current pause: let the fake clock run it */
async function stopSoon(loop: RetryLoop): Promise<void> {
  const stopped = loop.stop();
  await vi.advanceTimersByTimeAsync(5_000);
  await stopped;
}
