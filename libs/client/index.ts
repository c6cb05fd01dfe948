export * from './protocol.js';
export * from './decimal-order.js';
export * from './local-book.js';
export * from './backoff.js';
export * from './emitter.js';
export * from './client.js';
export * from './alert-gap.js';
