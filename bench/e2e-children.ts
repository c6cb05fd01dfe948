/**
 * The child processes both halves of the end-to-end suite (bookfuse and the transport floor) run
 * and time the same way: the WebSocket clients process (bench/e2e-clients.ts). The floor must never
 * share the machine with bookfuse's services, nor they with it, so every stop waits for the exit
 * (bench/lib/children.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nowUs } from '../libs/core/index.js';
import { stopChild } from './lib/children.js';

const CLIENTS_PROC = fileURLToPath(new URL('./e2e-clients.js', import.meta.url));
export const CLIENTS = 10;
/** what e2e-clients.ts reports per BOOK received: [ts, receivedAt ms, gateway send ms or -1, symbol] */
export type ClientSample = [number, number, number, string];
/** wall clock in ms with the µs fraction, the clock the clients stamp their receipts with */
export const preciseMs = (): number => nowUs() / 1000;

export interface ClientPool {
  /** samples count from here */
  measure(): void;
  /** the samples since measure(); the clients process then exits */
  report(): Promise<ClientSample[]>;
  proc: ChildProcess;
}

/** CLIENTS sockets on `url`, resolved once all are open. */
export async function startClients(url: string): Promise<ClientPool> {
  const proc = fork(CLIENTS_PROC, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  proc.send({ url, clients: CLIENTS });
  await new Promise<void>((r) => proc.once('message', () => r()));
  return {
    proc,
    measure: () => proc.send('measure'),
    report: async () => {
      const samples = await new Promise<ClientSample[]>((r) => {
        proc.once('message', (m: { samples: ClientSample[] }) => r(m.samples));
        proc.send('report');
      });
      await stopChild(proc);
      return samples;
    },
  };
}
