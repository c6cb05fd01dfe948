/**
 * docs/asyncapi.yaml as the official parser reads it, and a validator that finds the channel of a
 * recorded message (NATS subject or WebSocket path), picks the channel's messages that can be it
 * (by `type` or `method`), and checks the body against their payload schemas with ajv.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser, type AsyncAPIDocumentInterface, type Diagnostic } from '@asyncapi/parser';
import { Ajv, type ValidateFunction } from 'ajv';
import type { Recorded } from './traffic.js';

export const ASYNCAPI_PATH = join(import.meta.dirname, '..', '..', 'docs', 'asyncapi.yaml');

export async function loadAsyncApi(): Promise<{ document: AsyncAPIDocumentInterface | undefined; diagnostics: Diagnostic[] }> {
  const { document, diagnostics } = await new Parser().parse(readFileSync(ASYNCAPI_PATH, 'utf8'));
  return { document, diagnostics };
}

interface Candidate {
  message: string;
  discriminator: string | null;
  validate: ValidateFunction;
}

interface Channel {
  id: string;
  matches(r: Recorded): boolean;
  candidates: Candidate[];
}

type Schema = { properties?: Record<string, { const?: unknown }> } & Record<string, unknown>;

/** `type` or `method` constant of a message schema, or of a body; null when it has neither. */
function discriminatorOf(schema: Schema): string | null {
  const p = schema.properties ?? {};
  const c = p['type']?.const ?? p['method']?.const;
  return typeof c === 'string' ? c : null;
}
function bodyDiscriminator(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as { type?: unknown; method?: unknown };
  const c = b.type ?? b.method;
  return typeof c === 'string' ? c : null;
}

const ESCAPE = /[.*+?^$()|[\]\\]/g;

export class TrafficValidator {
  readonly channels: Channel[] = [];

  constructor(document: AsyncAPIDocumentInterface) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    for (const ch of document.channels()) {
      const address = ch.address() ?? '';
      const isNats = ch.servers().all().some((s) => s.protocol() === 'nats');
      // {param} is one subject token; WebSocket frames are recorded with the channel's address
      const re = new RegExp(`^${address.replace(ESCAPE, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[A-Za-z0-9_-]+')}$`);
      const candidates = ch.messages().all().map((m) => {
        const schema = (m.payload()?.json() ?? {}) as Schema;
        return { message: m.id(), discriminator: discriminatorOf(schema), validate: ajv.compile(schema) };
      });
      this.channels.push({
        id: ch.id(),
        matches: (r) => (isNats ? r.via !== 'ws' && re.test(r.where) : r.via === 'ws' && r.where === address),
        candidates,
      });
    }
  }

  /** The channel id and message id that `r` validates as, or the reasons it does not. */
  /** `key` names the problem without the body, so one defect in a thousand frames reads as one. */
  check(r: Recorded): { ok: true; channel: string; message: string } | { ok: false; problem: string; key: string } {
    const ch = this.channels.find((c) => c.matches(r));
    const shown = JSON.stringify(r.body)?.slice(0, 300);
    if (!ch) return { ok: false, key: `${r.via} ${r.where}: no channel`, problem: `${r.via} ${r.where}: no channel in asyncapi.yaml (${shown})` };
    const d = bodyDiscriminator(r.body);
    const cands = ch.candidates.filter((c) => c.discriminator === d);
    if (cands.length === 0) return { ok: false, key: `${ch.id}: no message ${String(d)}`, problem: `${ch.id} (${r.where}): no message with type/method ${String(d)} (${shown})` };
    const errors: string[] = [];
    for (const c of cands) {
      if (c.validate(r.body)) return { ok: true, channel: ch.id, message: c.message };
      errors.push(`${c.message}: ${(c.validate.errors ?? []).map((e) => `${e.schemaPath} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params['additionalProperty'])})` : ''}`).join('; ')}`);
    }
    return { ok: false, key: `${ch.id}: ${errors.join(' | ')}`, problem: `${ch.id} (${r.where}): ${errors.join(' | ')} — ${shown}` };
  }
}
