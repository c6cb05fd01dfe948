export * from './frame.js';
export * from './close-codes.js';
export * from './write-queue.js';
export * from './api-keys.js';
export * from './request-target.js';
export * from './http-guard.js';
export * from './connection-limits.js';
export * from './listen.js';
