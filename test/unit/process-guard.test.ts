/**
 * The last line of defence (issue 13): an uncaught exception or unhandled rejection is logged with
 * its code, counted, and ends the process with EXIT_FATAL. Real processes: test/e2e/process-guard.test.ts.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { BookfuseError } from '../../libs/core/index.js';
import { createRegistry, EXIT_FATAL, onFatal, thrownCode } from '../../libs/obs/index.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      cb();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

describe('fatal errors', () => {
  it('are logged with their code, counted by kind, and exit with EXIT_FATAL', async () => {
    const registry = createRegistry('guard-test');
    const { log, lines } = capture();
    const exits: number[] = [];
    const before = (await registry.getSingleMetric('bookfuse_process_fatal_errors_total')!.get()).values.find((v) => v.labels['kind'] === 'unhandled_rejection')?.value ?? 0;
    onFatal('unhandled_rejection', new BookfuseError('TIMEOUT', 'nobody answered'), { log, exit: (c) => exits.push(c) });
    await new Promise((r) => setImmediate(r));
    expect(exits).toEqual([EXIT_FATAL]);
    expect(lines[0]).toMatchObject({ level: 60, code: 'TIMEOUT', kind: 'unhandled_rejection' });
    const after = (await registry.getSingleMetric('bookfuse_process_fatal_errors_total')!.get()).values.find((v) => v.labels['kind'] === 'unhandled_rejection')!.value;
    expect(after).toBe(before + 1);
  });

  it('name a code for anything thrown', () => {
    expect(thrownCode(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe('ECONNRESET');
    expect(thrownCode(new URIError('URI malformed'))).toBe('URIError');
    expect(thrownCode('a string')).toBe('string');
    expect(thrownCode(undefined)).toBe('undefined');
  });
});
