/**
 * Close codes, in one table (docs/protocol.md repeats it). 4000–4099: the client may reconnect
 * (after backoff); 4100–4199: terminal, reconnecting with the same request fails again.
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

export function isReconnectable(code: number): boolean {
  return code < 4100;
}
