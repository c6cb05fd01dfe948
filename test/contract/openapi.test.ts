import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { main as gatewayMain } from '../../services/gateway/main.js';
import { openApiDocument } from '../../services/gateway/openapi.js';
import { waitFor } from '../helpers/waits.js';
import { KEY, startChain, type Chain } from './chain.js';

type Doc = ReturnType<typeof openApiDocument>;
interface Operation {
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}

const GATEWAY_DIR = join(import.meta.dirname, '..', '..', 'services', 'gateway');
/**
 * statuses the document lists that no test here can provoke: the widget page missing from the
 * build, a handler that throws, the alert history reaching back past its retention and a gateway
 * that has not read the alert log yet (both provoked in test/integration/gateway-alerts.test.ts;
 * in a running chain the 503 lasts milliseconds)
 */
const UNREACHABLE = new Set(['GET / 404', 'GET /v1/alerts 410', 'GET /v1/alerts 503']);
const unreachable = (d: string) => UNREACHABLE.has(d) || d.endsWith(' 500');

describe('the gateway OpenAPI document (#15 item 2)', () => {
  it('validates with swagger-parser, and swagger-parser does reject a broken one', async () => {
    await expect(SwaggerParser.validate(structuredClone(openApiDocument(['BTC-USD', 'ETH-USD'])) as never)).resolves.toBeDefined();
    const broken = structuredClone(openApiDocument(['BTC-USD'])) as { paths: Record<string, Record<string, unknown>> };
    delete broken.paths['/healthz']!['get'];
    broken.paths['/healthz']!['get'] = { responses: { 200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Nope' } } } } } };
    await expect(SwaggerParser.validate(broken as never)).rejects.toThrow();
  });

  it('has an operationId on every operation, servers, and every route the gateway registers', () => {
    const doc = openApiDocument(['BTC-USD']);
    expect(doc.servers.length).toBeGreaterThan(0);
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p) as { operationId?: string }[]);
    expect(ops.every((o) => typeof o.operationId === 'string')).toBe(true);
    expect(new Set(ops.map((o) => o.operationId)).size).toBe(ops.length);
    const routes = readdirSync(GATEWAY_DIR)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(join(GATEWAY_DIR, f), 'utf8').matchAll(/app\.(get|post|put|delete|patch)(?:<[^(]*>)?\('([^']+)'/g)].map((m) => `${m[1]} ${m[2]!.replace(/:(\w+)/g, '{$1}')}`));
    expect(routes.length).toBeGreaterThan(5);
    const documented = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m} ${p}`));
    expect(routes.filter((r) => !documented.includes(r))).toEqual([]);
    expect(documented).toEqual(expect.arrayContaining(['get /ws', 'get /ws/{key}/{symbol}', 'get /openapi.json', 'get /', 'get /healthz', 'get /readyz', 'get /v1/venues']));
  });

  describe('real responses of a running gateway match it', () => {
    let chain: Chain;
    let cold: { stop(): Promise<void>; listening: Record<string, string> };
    let doc: Doc;
    /** each gateway's own document (the symbol enums differ), by origin */
    const docs = new Map<string, Doc>();
    const seen = new Set<string>();
    const problems: string[] = [];

    beforeAll(async () => {
      chain = await startChain();
      // a second gateway with a symbol no merger serves: its /readyz and that book stay 503
      cold = await gatewayMain({ NATS_URL: chain.nats.url, LOG_LEVEL: 'silent', GATEWAY_PORT: '0', GATEWAY_API_KEYS: KEY, GATEWAY_SYMBOLS: 'BTC-USD,SOL-USD' });
      for (const origin of [chain.urls.gateway, new URL(cold.listening['http']!).origin]) {
        const served = (await (await fetch(`${origin}/openapi.json`)).json()) as Doc;
        docs.set(origin, (await SwaggerParser.dereference(served as never)) as unknown as Doc);
      }
      doc = docs.get(chain.urls.gateway)!;
    }, 60_000);
    afterAll(async () => {
      await cold?.stop();
      await chain?.stop();
    });

    const check = async (template: string, url: string, status: number, headers: Record<string, string> = {}) => {
      const res = await fetch(url, { headers });
      const where = `GET ${template} ${status} (${url.replace(/^http:\/\/[^/]+/, '')})`;
      if (res.status !== status) return problems.push(`${where}: got ${res.status}`);
      const op = (docs.get(new URL(url).origin)!.paths as Record<string, { get?: Operation }>)[template]?.get;
      const response = op?.responses[String(status)];
      if (!response) return problems.push(`${where}: status not documented`);
      seen.add(`GET ${template} ${status}`);
      const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
      const media = response.content?.[type];
      if (!media) return problems.push(`${where}: content-type ${type} not documented`);
      if (type !== 'application/json') return;
      const validate = new Ajv2020({ strict: false, allErrors: true }).compile(media.schema as object);
      const body: unknown = await res.json();
      if (!validate(body)) problems.push(`${where}: ${JSON.stringify(validate.errors?.slice(0, 5))} ${JSON.stringify(body).slice(0, 300)}`);
    };

    it('every route and status answers with a body its schema accepts', async () => {
      const gw = chain.urls.gateway;
      const coldUrl = new URL(cold.listening['http']!).origin;
      await check('/v1/books/{symbol}', `${gw}/v1/books/BTC-USD?token=${KEY}&depth=5`, 200);
      await check('/v1/books/{symbol}', `${gw}/v1/books/ETH-USD`, 200, { 'X-API-KEY': KEY });
      await check('/v1/books/{symbol}', `${gw}/v1/books/BTC-USD?depth=abc&token=${KEY}`, 400);
      await check('/v1/books/{symbol}', `${gw}/v1/books/BTC-USD`, 401);
      await check('/v1/books/{symbol}', `${gw}/v1/books/NOPE-USD?token=${KEY}`, 404);
      await check('/v1/books/{symbol}', `${coldUrl}/v1/books/SOL-USD?token=${KEY}`, 503);
      await check('/v1/books/{symbol}', `${gw}/v1/books/BTC-USD?token=${KEY}&depth=3&venues=okx-swap,binance-usdm`, 200);
      await check('/v1/books/{symbol}', `${gw}/v1/books/BTC-USD?token=${KEY}&venues=nope`, 400);
      await check('/v1/alerts', `${gw}/v1/alerts?token=${KEY}&limit=5`, 200);
      await check('/v1/alerts', `${gw}/v1/alerts?token=${KEY}&after=0&symbol=BTC-USD`, 200);
      await check('/v1/alerts', `${gw}/v1/alerts?token=${KEY}&after=-3`, 400);
      await check('/v1/alerts', `${gw}/v1/alerts`, 401);
      await check('/v1/alerts', `${gw}/v1/alerts?token=${KEY}&symbol=NOPE-USD`, 404);
      await check('/v1/venues', `${gw}/v1/venues`, 200, { Authorization: `Bearer ${KEY}` });
      await check('/v1/venues', `${gw}/v1/venues?token=wrong`, 401);
      await check('/healthz', `${gw}/healthz`, 200);
      await check('/readyz', `${gw}/readyz`, 200);
      await check('/readyz', `${coldUrl}/readyz`, 503);
      await check('/metrics', `${gw}/metrics`, 200);
      await check('/openapi.json', `${gw}/openapi.json`, 200);
      await check('/widget-config.json', `${gw}/widget-config.json`, 200);
      await check('/', `${gw}/`, 200);
      await check('/static/{file}', `${gw}/static/widget.js`, 200);
      await check('/static/{file}', `${gw}/static/widget.css`, 200);
      await check('/static/{file}', `${gw}/static/nope.js`, 404);
      await check('/client/{file}', `${gw}/client/client.js`, 200);
      await check('/client/{file}', `${gw}/client/nope.js`, 404);
      for (const [template, path] of [['/ws', `/ws?token=${KEY}&symbols=BTC-USD`], ['/ws/{key}/{symbol}', `/ws/${KEY}/BTC-USD`], ['/ws/windows', `/ws/windows?token=${KEY}`]] as const) {
        const ws = new WebSocket(`${gw.replace(/^http/, 'ws')}${path}`);
        const status = await new Promise<number>((resolve, reject) => {
          ws.once('upgrade', (res) => resolve(res.statusCode ?? 0));
          ws.once('error', reject);
        });
        ws.terminate();
        if (status === 101 && (doc.paths as Record<string, { get?: Operation }>)[template]?.get?.responses['101']) seen.add(`GET ${template} 101`);
        else problems.push(`GET ${template}: upgrade answered ${status}`);
      }
      expect(problems).toEqual([]);
      const documented = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys((item as { get: Operation }).get.responses).map((s) => `GET ${p} ${s}`));
      expect(documented.filter((d) => !seen.has(d) && !unreachable(d))).toEqual([]);
    });

    it('the served venue views carry reported_age_ms and integer times', async () => {
      const body = await waitFor(async () => {
        const b = (await (await fetch(`${chain.urls.gateway}/v1/books/BTC-USD?token=${KEY}`)).json()) as { merge_ts: number; venues: Record<string, { reported_age_ms?: number }> };
        return Object.keys(b.venues).length > 0 ? b : undefined;
      });
      expect(Number.isInteger(body.merge_ts)).toBe(true);
      for (const v of Object.values(body.venues)) expect(Number.isInteger(v.reported_age_ms)).toBe(true);
    });
  });
});
