/**
 * The window-price protocol (#16.5, docs/protocol.md "Window prices"): `ws://<gateway>/ws/windows`.
 * Flat JSON messages with a lower-case `type`. Types only: safe in a browser.
 */
import type { WindowPrice } from '../core/index.js';

export type { WindowPrice };

export interface WindowsConnected {
  type: 'connected';
  server_time: number;
  assets: string[];
  marketTypes: string[];
}

export interface WindowsSubscribed {
  type: 'subscribed';
  asset: string;
  marketTypes: string[];
}

export interface WindowOpenMessage extends WindowPrice {
  type: 'window_open';
  /** true: the current window's price sent on subscribe; false: pushed at the boundary */
  snapshot: boolean;
}

export interface WindowOpenErrorMessage {
  type: 'window_open_error';
  asset: string;
  marketType: string;
  window_start: number;
  reason: string;
}

import type { ErrorCodeName } from './codes.js';

/** codes of the window protocol's `error` (rows of the one table in codes.ts) */
export type WindowsErrorCode = Extract<ErrorCodeName, 'INVALID_JSON' | 'UNKNOWN_TYPE' | 'UNKNOWN_ASSET' | 'UNKNOWN_MARKET_TYPE' | 'BAD_REQUEST' | 'AUTH_FAILED' | 'ORIGIN_NOT_ALLOWED' | 'TOO_MANY_CONNECTIONS'>;

export interface WindowsError {
  type: 'error';
  code: WindowsErrorCode;
  message: string;
}

export type WindowsServerMessage = WindowsConnected | WindowsSubscribed | WindowOpenMessage | WindowOpenErrorMessage | { type: 'unsubscribed' } | WindowsError;

export type WindowsClientMessage = { type: 'subscribe'; asset: string; marketTypes?: string[] } | { type: 'unsubscribe' };
