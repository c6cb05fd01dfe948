/**
 * Configuration in two pure steps (style.md habit 8): `readEnv` takes the environment as a plain
 * object, every field is checked, all problems are reported together in one BAD_CONFIG error
 * naming each variable, and the result is frozen. Only config modules call these.
 */
import { BookfuseError } from '../core/index.js';

type Env = Record<string, string | undefined>;

export interface FieldSpec<T> {
  env: string;
  parse: (raw: string) => T;
  default?: T;
  doc: string;
  /** holds secrets (API keys): a bad value is reported without echoing it */
  secret?: boolean;
}

export type Schema<C> = { [K in keyof C]: FieldSpec<C[K]> };

export function readEnv<C>(schema: Schema<C>, env: Env): Readonly<C> {
  const out: Partial<C> = {};
  const problems: string[] = [];
  for (const key of Object.keys(schema) as (keyof C)[]) {
    const spec = schema[key];
    const raw = env[spec.env];
    if (raw === undefined || raw === '') {
      if (spec.default === undefined) problems.push(`${spec.env} is required (${spec.doc})`);
      else out[key] = spec.default;
      continue;
    }
    try {
      out[key] = spec.parse(raw);
    } catch (e) {
      problems.push(`${spec.secret ? `${spec.env} (value not shown)` : `${spec.env}=${JSON.stringify(raw).slice(0, 80)}`}: ${(e as Error).message}`);
    }
  }
  if (problems.length) throw badConfig(problems);
  return Object.freeze(out as C);
}

/**
 * readEnv for a loader with checks of its own: the fields' problems are added to `problems`, so
 * one BAD_CONFIG names them together with the loader's (undefined when a field failed).
 */
export function readEnvInto<C>(schema: Schema<C>, env: Env, problems: string[]): Readonly<C> | undefined {
  try {
    return readEnv(schema, env);
  } catch (e) {
    problems.push(...(((e as BookfuseError).details?.['problems'] as string[] | undefined) ?? [(e as Error).message]));
    return undefined;
  }
}

/** The one error a bad configuration raises: every problem, one a line. */
export function badConfig(problems: string[]): BookfuseError {
  return new BookfuseError('BAD_CONFIG', `invalid configuration:\n  ${problems.join('\n  ')}`, { details: { problems } });
}

export const parse = {
  string: (raw: string) => raw,
  int:
    (min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) =>
    (raw: string): number => {
      if (!/^-?\d+$/.test(raw.trim())) throw new Error('must be an integer');
      const v = Number(raw);
      if (v < min || v > max) throw new Error(`must be between ${min} and ${max}`);
      return v;
    },
  number:
    (min = -Infinity, max = Infinity) =>
    (raw: string): number => {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) throw new Error('must be a number');
      if (v < min || v > max) throw new Error(`must be between ${min} and ${max}`);
      return v;
    },
  bool: (raw: string): boolean => {
    const v = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    throw new Error('must be true or false');
  },
  list: (raw: string): string[] =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  oneOf:
    <T extends string>(...allowed: T[]) =>
    (raw: string): T => {
      if (!(allowed as string[]).includes(raw)) throw new Error(`must be one of ${allowed.join(', ')}`);
      return raw as T;
    },
  url:
    (...protocols: string[]) =>
    (raw: string): string => {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        throw new Error('must be a URL');
      }
      if (protocols.length && !protocols.includes(u.protocol.replace(':', ''))) throw new Error(`must use ${protocols.join(' or ')}`);
      return raw.replace(/\/$/, '');
    },
  port: (raw: string): number => parse.int(0, 65535)(raw),
};

/** Common fields every service has. */
export interface CommonConfig {
  natsUrl: string;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
}

export const commonSchema: Schema<CommonConfig> = {
  natsUrl: { env: 'NATS_URL', parse: parse.string, default: 'nats://127.0.0.1:4222', doc: 'NATS server URL(s), comma-separated' },
  logLevel: {
    env: 'LOG_LEVEL',
    parse: parse.oneOf('trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'),
    default: 'info',
    doc: 'pino log level',
  },
};

/** Each variable of a schema with its default as text and its meaning: what a config docs table must list. */
export function schemaDocs<C>(schema: Schema<C>): { env: string; default: string; doc: string }[] {
  return Object.values(schema).map((f) => {
    const spec = f as { env: string; default?: unknown; doc: string };
    const d = spec.default;
    return { env: spec.env, default: Array.isArray(d) ? d.join(',') : String(d ?? ''), doc: spec.doc };
  });
}
