/**
 * The public face of libs/venues: the adapter contract, the IO-free engine, the socket feed, the
 * REST budget, capture replay and the registry. Venue folders and validate.ts stay inside.
 */
export * from './adapter.js';
export * from './module.js';
export * from './registry.js';
export * from './engine.js';
export * from './drift.js';
export * from './feed.js';
export * from './rest.js';
export * from './metadata.js';
export * from './capture.js';
export * from './replay.js';
