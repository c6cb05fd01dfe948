export * from './protocol.js';
export * from './codes.js';
export * from './decimal-order.js';
export * from './decimal-math.js';
export * from './local-book.js';
export * from './backoff.js';
export * from './emitter.js';
export * from './client.js';
