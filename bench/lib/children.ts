/**
 * Waiting for a benchmark's child processes to be gone: a run starts only once the previous run's
 * processes have left the cores (and, for the bare broadcast, freed its backlog), so no run is
 * measured while another one's teardown competes for the machine.
 */
import type { ChildProcess } from 'node:child_process';

/** Resolves when the child has exited (at once if it already has). */
export function exited(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((r) => c.once('exit', () => r()));
}

/** SIGTERM, then wait for the exit; false when the child had already exited (died during the run). */
export async function stopChild(p: ChildProcess): Promise<boolean> {
  if (p.exitCode !== null || p.signalCode !== null) return false;
  const gone = exited(p);
  p.kill('SIGTERM');
  await gone;
  return true;
}
