/**
 * The public face of libs/simulator: the venue-simulator contract, synthetic markets, the
 * simulated world and its HTTP/WS server, the seeded RNG benches and tests share.
 */
export * from './types.js';
export * from './rng.js';
export * from './reference-prices.js';
export * from './market.js';
export * from './world.js';
export * from './server.js';
export * from './liquidation-record.js';
