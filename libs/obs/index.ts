export * from './logger.js';
export * from './metrics.js';
export * from './cells.js';
export * from './shutdown.js';
export * from './ops-server.js';
