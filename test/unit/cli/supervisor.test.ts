/**
 * The demo's restart decision: a child that keeps dying waits 1, 2, 4, 8, 16 then 30 s between
 * restarts (the client library's backoff, without jitter); one that had run long enough before
 * dying starts again from 1 s; every restart is counted.
 */
import { describe, expect, it } from 'vitest';
import { nextRestart, STABLE_MS, type RestartState } from '../../../services/cli/supervisor.js';

describe('nextRestart', () => {
  it('backs off 1, 2, 4, 8, 16, 30, 30 s for a child that dies at once every time', () => {
    let state: RestartState = { attempt: 0, restarts: 0 };
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = nextRestart(state, 1000 * i, 1000 * i + 50);
      delays.push(r.delayMs);
      state = r.state;
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(state.restarts).toBe(7);
  });

  it('starts again from 1 s after a child that had been up for STABLE_MS', () => {
    const r = nextRestart({ attempt: 5, restarts: 5 }, 0, STABLE_MS);
    expect(r.delayMs).toBe(1000);
    expect(r.state).toEqual({ attempt: 1, restarts: 6 });
  });

  it('keeps backing off while the child dies before STABLE_MS', () => {
    const r = nextRestart({ attempt: 3, restarts: 3 }, 0, STABLE_MS - 1);
    expect(r.delayMs).toBe(8000);
    expect(r.state).toEqual({ attempt: 4, restarts: 4 });
  });
});
