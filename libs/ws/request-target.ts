/**
 * The one reading of an HTTP request target that every bookfuse server (gateway, firehose,
 * simulator, ops endpoints) routes and authorizes on. Pure and total: any string in, a target or
 * a refusal out — never a throw, so no request line can take a process down (issue 13).
 *
 * Accepted: origin-form `/a/b?q` and absolute-form `http://host/a/b?q` (RFC 9112 §3.2.2 says a
 * server must accept it; only the path and query count). Refused with 400: anything else (`*`,
 * `//host/…`), bad percent escapes, empty, `.` or `..` segments, control characters; with 414:
 * targets longer than MAX_TARGET_LENGTH.
 */

export const MAX_TARGET_LENGTH = 8 * 1024;

export interface RequestTarget {
  /** the decoded path, e.g. `/ws/demo/BTC-USD` (a trailing `/` is kept) */
  path: string;
  /** each path segment decoded on its own, so an encoded `/` stays inside its segment */
  segments: string[];
  query: URLSearchParams;
}

export interface TargetRefusal {
  status: 400 | 414;
  code: 'BAD_REQUEST';
  message: string;
}

const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;
// C0 controls, DEL, and the backslash some stacks read as a slash
const FORBIDDEN = /[\u0000-\u001f\u007f\\]/;

export function normalizeTarget(raw: string | undefined): RequestTarget | TargetRefusal {
  if (raw === undefined || raw.length === 0) return refuse(400, 'empty request target');
  if (raw.length > MAX_TARGET_LENGTH) return refuse(414, `request target longer than ${MAX_TARGET_LENGTH} bytes`);
  let rest = raw;
  const abs = ABSOLUTE_FORM.exec(rest);
  if (abs) rest = rest.slice(abs[0].length) || '/';
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const rawPath = q >= 0 ? rest.slice(0, q) : rest;
  const rawQuery = q >= 0 ? rest.slice(q + 1) : '';
  if (!rawPath.startsWith('/')) return refuse(400, 'request target must be a path starting with /');
  const parts = rawPath === '/' ? [] : rawPath.slice(1).split('/');
  const trailing = parts.length > 0 && parts[parts.length - 1] === '';
  if (trailing) parts.pop();
  const segments: string[] = [];
  for (const p of parts) {
    if (p === '') return refuse(400, 'empty path segment');
    const d = decode(p);
    if (d === undefined) return refuse(400, 'bad percent escape in path');
    if (d === '.' || d === '..' || FORBIDDEN.test(d)) return refuse(400, 'path segment not allowed');
    segments.push(d);
  }
  const path = `/${segments.join('/')}${trailing ? '/' : ''}`;
  // URLSearchParams never throws: a bad escape in the query stays as its literal text
  return { path, segments, query: new URLSearchParams(rawQuery) };
}

export function isTargetRefusal(t: RequestTarget | TargetRefusal): t is TargetRefusal {
  return 'status' in t;
}

/** The HTTP/1.1 answer for a refused upgrade (or any raw-socket refusal). */
export function rawHttpResponse(status: number, reason: string, body = ''): string {
  return `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

function decode(s: string): string | undefined {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

function refuse(status: 400 | 414, message: string): TargetRefusal {
  return { status, code: 'BAD_REQUEST', message };
}
