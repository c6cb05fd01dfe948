/**
 * Finding a NATS server for the demo: NATS_URL if set, else 127.0.0.1:4222 if something answers,
 * else a `nats-server` child (JetStream on, temp store). No nats-server ⇒ a clear how-to-install.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function portAnswers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host, port });
    const t = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
}

export interface DemoNats {
  url: string;
  origin: 'NATS_URL' | 'existing' | 'started';
  child?: ChildProcess;
}

export class NatsServerMissing extends Error {}

export async function resolveNats(env: NodeJS.ProcessEnv): Promise<DemoNats> {
  if (env['NATS_URL']) return { url: env['NATS_URL'], origin: 'NATS_URL' };
  if (await portAnswers('127.0.0.1', 4222)) return { url: 'nats://127.0.0.1:4222', origin: 'existing' };
  const bin = env['NATS_SERVER_BIN'] ?? 'nats-server';
  const store = mkdtempSync(join(tmpdir(), 'bookfuse-demo-nats-'));
  const child = spawn(bin, ['-a', '127.0.0.1', '-p', '4222', '-js', '-sd', store], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT'
          ? new NatsServerMissing(
              'no NATS server: NATS_URL is not set, nothing answers on 127.0.0.1:4222, and `nats-server` is not on PATH.\n' +
                'Install it (Debian/Ubuntu: `sudo apt-get install -y nats-server`; others: https://docs.nats.io/running-a-nats-service/introduction/installation)\n' +
                'or point NATS_URL at a server with JetStream enabled.',
            )
          : e,
      ),
    );
    child.once('spawn', () => resolve());
  });
  for (let i = 0; i < 100; i++) {
    if (await portAnswers('127.0.0.1', 4222)) return { url: 'nats://127.0.0.1:4222', origin: 'started', child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('nats-server started but did not open 127.0.0.1:4222 within 10 s');
}
