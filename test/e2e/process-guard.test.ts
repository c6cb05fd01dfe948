/**
 * Real processes: a service process that meets an unhandled rejection or an uncaught exception
 * logs it with its code and exits EXIT_FATAL (70) so that its supervisor restarts it; SIGTERM still
 * stops it with 0. Runs the built libs (dist/), like the CLI tests.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { subjects } from '../../libs/bus/index.js';
import { EXIT_FATAL } from '../../libs/obs/index.js';

const OBS = resolve('dist/libs/obs/index.js');
const COLOCATED = resolve('dist/services/cli/colocated.js');

function run(body: string): Promise<{ code: number | null; out: string }> {
  const script = `import('${OBS}').then((m) => {
    const log = m.createLogger('guard', 'info');
    m.runService(new Promise((r) => setTimeout(() => r({ stop: async () => undefined }), 10)), { log, exit: (c) => process.exit(c) });
    setInterval(() => undefined, 1000);
    ${body}
  });`;
  const p = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((r) => p.once('exit', (code) => r({ code, out })));
}

describe.skipIf(!existsSync(OBS))('a service process', () => {
  it('exits 70 after an unhandled rejection, logging its code', async () => {
    const r = await run(`setTimeout(() => Promise.reject(Object.assign(new Error('boom'), { code: 'BOOM' })), 50);`);
    expect(r.code).toBe(EXIT_FATAL);
    expect(r.out).toMatch(/"code":"BOOM".*"kind":"unhandled_rejection"/);
  });

  it('exits 70 when the co-located merger throws on an in-process venue message, after the publish returned', async () => {
    const r = await run(`import('${COLOCATED}').then((c) => setTimeout(() => {
      c.fatalSubscriberError(log)('${subjects.book('okx-swap', 'BTC-USDT')}', new TypeError('half applied'));
      console.log('publish returned');
    }, 50));`);
    expect(r.code).toBe(EXIT_FATAL);
    expect(r.out).toMatch(/publish returned[\s\S]*"code":"TypeError".*"kind":"uncaught_exception"/);
  });

  it('exits 70 after an uncaught exception', async () => {
    const r = await run(`setTimeout(() => { throw new URIError('URI malformed'); }, 50);`);
    expect(r.code).toBe(EXIT_FATAL);
    expect(r.out).toMatch(/"code":"URIError".*"kind":"uncaught_exception"/);
  });

  it('stops with 0 on SIGTERM', async () => {
    const r = await run(`setTimeout(() => process.kill(process.pid, 'SIGTERM'), 100);`);
    expect(r.code).toBe(0);
    expect(r.out).toContain('stopped');
  });
});
