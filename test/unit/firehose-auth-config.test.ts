import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaDocs } from '../../libs/config/index.js';
import { createKeyCheck } from '../../services/firehose/auth.js';
import { firehoseSchema, loadFirehoseConfig } from '../../services/firehose/config.js';

describe('firehose API keys', () => {
  it('accepts configured keys, given plain or as sha256 digests, and nothing else', () => {
    const digest = createHash('sha256').update('second').digest('hex');
    const check = createKeyCheck(['first', `sha256:${digest}`]);
    expect(check.required).toBe(true);
    expect(check.accepts('first')).toBe(true);
    expect(check.accepts('second')).toBe(true);
    for (const k of [undefined, '', 'firs', 'first ', digest, `sha256:${digest}`]) expect(check.accepts(k)).toBe(false);
  });

  it('with no keys configured the feed is open', () => {
    const open = createKeyCheck([]);
    expect(open.required).toBe(false);
    expect(open.accepts(undefined)).toBe(true);
  });
});

describe('firehose config', () => {
  it('has working defaults', () => {
    expect(loadFirehoseConfig({})).toMatchObject({
      host: '127.0.0.1',
      port: 8081,
      apiKeys: [],
      queueMaxMessages: 20_000,
      writeIntervalMs: 10,
      writeShare: 0.5,
      maxLagMs: 3_000,
      natsUrl: 'nats://127.0.0.1:4222',
    });
  });

  it('is documented variable by variable in docs/firehose.md', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../docs/firehose.md'), 'utf8');
    for (const v of schemaDocs(firehoseSchema)) expect(doc).toContain(`| \`${v.env}\` | ${v.default === '' ? '(empty)' : `\`${v.default}\``} |`);
  });

  it('reports every bad variable at once, by name, without echoing keys elsewhere', () => {
    let message = '';
    try {
      loadFirehoseConfig({ FIREHOSE_PORT: '70000', FIREHOSE_QUEUE_MAX_MESSAGES: '10', FIREHOSE_API_KEYS: 'sekrit-key,sha256:nothex', FIREHOSE_IDLE_TIMEOUT_MS: 'soon' });
    } catch (e) {
      message = (e as Error).message;
      expect((e as { code?: string }).code).toBe('BAD_CONFIG');
    }
    for (const v of ['FIREHOSE_PORT', 'FIREHOSE_QUEUE_MAX_MESSAGES', 'FIREHOSE_API_KEYS', 'FIREHOSE_IDLE_TIMEOUT_MS']) expect(message).toContain(v);
    expect(message).not.toContain('sekrit-key');
  });
});
