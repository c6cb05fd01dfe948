/**
 * GET /v1/alerts?after=<id>&symbol=<SYM>&limit=<n> (#16.3): the alerts after `id`, oldest first,
 * `{"alerts":[…],"next_after":<id>}`; 410 HISTORY_EXPIRED when the history no longer reaches back
 * to `after`, 503 NOT_READY until the gateway has read the alert log. Auth is the /v1/* rule.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AlertLog } from './alerts-log.js';
import type { GatewayConfig } from './config.js';

const ROUTE = '/v1/alerts';
export const ALERTS_DEFAULT_LIMIT = 100;
export const ALERTS_MAX_LIMIT = 1000;

export interface AlertRouteDeps {
  cfg: GatewayConfig;
  alerts: AlertLog;
  count: (route: string, status: number) => void;
}

type AlertsRequest = FastifyRequest<{ Querystring: { after?: string; symbol?: string; limit?: string } }>;

/** The handler; routes.ts registers it with the /v1 key rule. */
export function alertsHandler(d: AlertRouteDeps) {
  return async (req: AlertsRequest, reply: FastifyReply) => {
    const fail = (status: number, code: string, message: string) => {
      d.count(ROUTE, status);
      return reply.code(status).send({ code, message });
    };
    const { after, symbol, limit } = req.query;
    if (after !== undefined && !/^\d{1,15}$/.test(after)) return fail(400, 'BAD_REQUEST', 'after must be an alert id (a whole number)');
    if (limit !== undefined && (!/^\d{1,6}$/.test(limit) || Number(limit) < 1)) return fail(400, 'BAD_REQUEST', `limit must be 1..${ALERTS_MAX_LIMIT}`);
    if (symbol !== undefined && !d.cfg.symbols.includes(symbol)) return fail(404, 'UNKNOWN_SYMBOL', `no consensus symbol ${symbol.slice(0, 32)}`);
    if (!d.alerts.ready) return fail(503, 'NOT_READY', 'the alert log has not been read yet');
    const h = d.alerts.history;
    const from = after === undefined ? h.floor - 1 : Number(after);
    const r = h.after(from, symbol, Math.min(ALERTS_MAX_LIMIT, limit === undefined ? ALERTS_DEFAULT_LIMIT : Number(limit)), Date.now());
    if ('expired' in r) return fail(410, 'HISTORY_EXPIRED', `alerts after id ${from} are no longer kept (past the retention): the oldest kept is ${r.oldest}; fetch without after, then resync`);
    d.count(ROUTE, 200);
    return r;
  };
}
