/**
 * The reconnect policy lives in libs/core/backoff.ts (the venue feeds share it). Browsers never
 * load this file: the gateway serves core's browser-safe backoff.ts under this name
 * (services/gateway/assets.ts).
 */
export { BACKOFF_BASE_MS, BACKOFF_CAP_MS, BACKOFF_JITTER_MS, backoffDelayMs } from '../core/index.js';
