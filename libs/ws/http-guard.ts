/**
 * The edge every bookfuse HTTP server shares, so a request can cost at most its own socket:
 * upgrades get an 'error' listener before anything is written (a client may reset at any moment),
 * a target that does not normalize gets its 4xx, and a handler that throws answers 500 to that
 * request only. Handlers receive the normalized target, never the raw string.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { isTargetRefusal, normalizeTarget, rawHttpResponse, type RequestTarget } from './request-target.js';

export type GuardOutcome = 'bad_target' | 'handler_error';

export interface GuardHooks {
  /** a request was refused by the guard itself (count it) */
  onRefused?(outcome: GuardOutcome, err?: unknown): void;
}

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, target: RequestTarget) => void;
export type HttpHandler = (req: IncomingMessage, res: ServerResponse, target: RequestTarget) => void | Promise<void>;

/** a refused upgrade whose client does not close its side is cut after this */
const REFUSED_LINGER_MS = 2_000;

const REASONS: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 414: 'URI Too Long', 500: 'Internal Server Error', 503: 'Service Unavailable' };

export function guardUpgrades(server: Server, handler: UpgradeHandler, hooks: GuardHooks = {}): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined); // a reset costs this socket only
    const target = normalizeTarget(req.url);
    if (isTargetRefusal(target)) {
      hooks.onRefused?.('bad_target');
      return refuseUpgrade(socket, target.status, { code: target.code, message: target.message });
    }
    try {
      handler(req, socket, head, target);
    } catch (e) {
      hooks.onRefused?.('handler_error', e);
      refuseUpgrade(socket, 500, { code: 'INTERNAL', message: 'upgrade failed' });
    }
  });
}

/** Answer an upgrade with a plain HTTP status (JSON body `{error:{code,message}}` when given). */
export function refuseUpgrade(socket: Duplex, status: number, error?: { code: string; message: string }): void {
  if (socket.destroyed) return;
  const body = error ? JSON.stringify({ error }) : '';
  if (socket.writable) socket.end(rawHttpResponse(status, REASONS[status] ?? 'Error', body));
  else socket.destroy();
  setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
}

/** A request listener that normalizes the target and turns throws and rejections into a 500. */
export function guardHttp(handler: HttpHandler, hooks: GuardHooks = {}): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    res.on('error', () => undefined);
    const target = normalizeTarget(req.url);
    if (isTargetRefusal(target)) {
      hooks.onRefused?.('bad_target');
      return sendJson(res, target.status, { error: { code: target.code, message: target.message } });
    }
    const fail = (e: unknown) => {
      hooks.onRefused?.('handler_error', e);
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'INTERNAL', message: 'request failed' } });
      else res.destroy();
    };
    try {
      const r = handler(req, res, target);
      if (r) r.catch(fail);
    } catch (e) {
      fail(e);
    }
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded) return;
  const s = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
  res.end(s);
}
