/**
 * Pure checks of window-protocol client messages (#16.5): a subscribe names a known asset and
 * known intervals (omitted = all); anything else is an error the connection survives.
 */
import type { WindowsClientMessage, WindowsError } from '../../libs/client/index.js';

export type WindowsCommand = { type: 'subscribe'; asset: string; marketTypes: string[] } | { type: 'unsubscribe' };

const err = (code: WindowsError['code'], message: string): WindowsError => ({ type: 'error', code, message });
const show = (x: unknown) => JSON.stringify(x)?.slice(0, 40) ?? String(x);

export function parseWindowsMessage(text: string, assets: readonly string[], types: readonly string[]): WindowsCommand | WindowsError {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return err('INVALID_JSON', 'message is not JSON');
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return err('INVALID_JSON', 'message must be a JSON object with a "type"');
  const o = m as Partial<WindowsClientMessage> & Record<string, unknown>;
  if (o.type === 'unsubscribe') return { type: 'unsubscribe' };
  if (o.type !== 'subscribe') return err('UNKNOWN_TYPE', `unknown message type ${show(o.type ?? null)}; known: subscribe, unsubscribe`);
  if (typeof o['asset'] !== 'string') return err('BAD_REQUEST', 'subscribe needs "asset"');
  const asset = o['asset'];
  if (!assets.includes(asset)) return err('UNKNOWN_ASSET', `unknown asset ${show(asset)}; known: ${assets.join(', ')}`);
  const raw = o['marketTypes'];
  if (raw === undefined || raw === null) return { type: 'subscribe', asset, marketTypes: [...types] };
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > 64 || !raw.every((t) => typeof t === 'string')) return err('BAD_REQUEST', '"marketTypes" must be a non-empty list of intervals (omit it for all)');
  const unknown = (raw as string[]).filter((t) => !types.includes(t));
  if (unknown.length) return err('UNKNOWN_MARKET_TYPE', `unknown market type ${unknown.map(show).join(', ')}; known: ${types.join(', ')}`);
  const want = new Set(raw as string[]);
  return { type: 'subscribe', asset, marketTypes: types.filter((t) => want.has(t)) };
}
