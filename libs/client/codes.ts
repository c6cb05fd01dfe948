/**
 * The one table of bookfuse error and close codes (issue 15): what the gateway, the firehose, the
 * client library and docs/protocol.md all read. Browser-safe (no imports, no Node): the gateway
 * serves it at /client/codes.js. test/unit/codes-table.test.ts checks docs/protocol.md against it.
 *
 * Close codes 4000–4099: reconnect after backoff; 4100–4199: terminal, the same request fails again.
 */

export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  /** reconnectable */
  SLOW_CONSUMER: 4000,
  HEARTBEAT_TIMEOUT: 4001,
  SERVER_RESTART: 4002,
  IDLE_TIMEOUT: 4003,
  RATE_LIMITED: 4004,
  /** terminal */
  AUTH_FAILED: 4100,
  BAD_REQUEST: 4101,
  TOO_MANY_CONNECTIONS: 4102,
  ORIGIN_NOT_ALLOWED: 4103,
  POLICY_VIOLATION: 4104,
} as const;

export type CloseCodeName = keyof typeof CloseCode;

/** Terminal close codes start here: reconnecting with the same request fails again. */
export const FIRST_TERMINAL_CLOSE = 4100;

/** true when a client should reconnect (after backoff) after this close code */
export function isReconnectable(code: number): boolean {
  return code < FIRST_TERMINAL_CLOSE;
}

export interface CodeInfo {
  /** the close code that follows the ERROR, or null when the connection stays open */
  close: number | null;
  /** whether reconnecting (after backoff) can succeed; for `close: null`, whether retrying the request can */
  reconnect: boolean;
  /** HTTP status when the code answers an HTTP request (REST, health), if it does */
  http?: number;
  /** who sends it: gw = gateway WebSocket, fh = firehose WebSocket, rest = HTTP answers, bus = NATS replies */
  sent: readonly ('gw' | 'fh' | 'rest' | 'bus')[];
  when: string;
}

export const ERROR_CODES = {
  AUTH_FAILED: { close: CloseCode.AUTH_FAILED, reconnect: false, http: 401, sent: ['gw', 'fh', 'rest'], when: 'missing or unknown API key' },
  ORIGIN_NOT_ALLOWED: { close: CloseCode.ORIGIN_NOT_ALLOWED, reconnect: false, sent: ['gw'], when: 'browser Origin not in GATEWAY_ALLOWED_ORIGINS' },
  TOO_MANY_CONNECTIONS: { close: CloseCode.TOO_MANY_CONNECTIONS, reconnect: false, sent: ['gw', 'fh'], when: 'process, per-key or per-key-per-address connection limit reached' },
  BAD_REQUEST: { close: CloseCode.BAD_REQUEST, reconnect: false, http: 400, sent: ['gw', 'fh', 'rest'], when: 'bad upgrade request (close); a bad client message on an open gateway connection only counts a strike' },
  UNKNOWN_SYMBOL: { close: CloseCode.BAD_REQUEST, reconnect: false, http: 404, sent: ['gw', 'fh', 'rest'], when: 'symbol not served: in the gateway URL, close; in SUBSCRIBE/RESYNC or a firehose filter, the connection stays' },
  UNKNOWN_VENUE: { close: null, reconnect: false, sent: ['fh'], when: 'a firehose filter names a venue that is not collected; the connection stays for the known ones' },
  RATE_LIMITED: { close: CloseCode.RATE_LIMITED, reconnect: true, sent: ['gw', 'fh'], when: 'too many messages (gateway) or replays running (firehose)' },
  POLICY_VIOLATION: { close: CloseCode.POLICY_VIOLATION, reconnect: false, sent: ['gw'], when: 'more than GATEWAY_MAX_STRIKES bad messages in a minute' },
  SLOW_CONSUMER: { close: CloseCode.SLOW_CONSUMER, reconnect: true, sent: ['gw', 'fh'], when: 'the client does not read fast enough' },
  HEARTBEAT_TIMEOUT: { close: CloseCode.HEARTBEAT_TIMEOUT, reconnect: true, sent: ['gw'], when: 'PONGs missed' },
  IDLE_TIMEOUT: { close: CloseCode.IDLE_TIMEOUT, reconnect: true, sent: ['fh'], when: 'no client frame for FIREHOSE_IDLE_TIMEOUT_MS' },
  SERVER_SHUTDOWN: { close: CloseCode.SERVER_RESTART, reconnect: true, sent: ['gw', 'fh'], when: 'the server is stopping or its log was reset' },
  REPLAY_UNAVAILABLE: { close: CloseCode.BAD_REQUEST, reconnect: false, sent: ['fh'], when: '?after= is older than the log keeps or ahead of it; reconnect without after' },
  REPLAY_FAILED: { close: CloseCode.SERVER_RESTART, reconnect: true, sent: ['fh'], when: 'an ?after= replay failed on the way; reconnect with the same after' },
  NOT_FOUND: { close: null, reconnect: false, http: 404, sent: ['rest'], when: 'no such route or file' },
  NOT_READY: { close: null, reconnect: true, http: 503, sent: ['rest'], when: 'no book known to be right yet, or upstream silent' },
  NOT_LIVE: { close: null, reconnect: true, sent: ['bus'], when: 'a venue book asked for by the merger is resyncing (collector snapshot reply)' },
  HISTORY_EXPIRED: { close: null, reconnect: false, http: 410, sent: ['rest'], when: 'GET /v1/alerts?after= is older than the alerts kept: fetch without after' },
  INVALID_JSON: { close: null, reconnect: false, sent: ['gw'], when: '/ws/windows: a message that is not a JSON object; the connection stays' },
  UNKNOWN_TYPE: { close: null, reconnect: false, sent: ['gw'], when: '/ws/windows: a message type other than subscribe/unsubscribe; the connection stays' },
  UNKNOWN_ASSET: { close: null, reconnect: false, sent: ['gw'], when: '/ws/windows: subscribe names an asset not served; the connection stays' },
  UNKNOWN_MARKET_TYPE: { close: null, reconnect: false, sent: ['gw'], when: '/ws/windows: subscribe names an interval not in WINDOW_TYPES; the connection stays' },
  INTERNAL: { close: null, reconnect: true, http: 500, sent: ['rest'], when: 'a handler failed; the request alone is lost' },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCodeName = keyof typeof ERROR_CODES;

/** The ERROR message of the gateway and the firehose: `{"type":"ERROR","payload":{"code","message"}}`. */
export interface ErrorMessage {
  type: 'ERROR';
  payload: { code: ErrorCodeName; message: string };
}

export function errorMessage(code: ErrorCodeName, message: string): string {
  const m: ErrorMessage = { type: 'ERROR', payload: { code, message } };
  return JSON.stringify(m);
}

export function isErrorCode(s: unknown): s is ErrorCodeName {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, s);
}
