export * from './subjects.js';
export * from './codec.js';
export * from './connection.js';
export * from './streams.js';
export * from './alert-stream.js';
export * from './nats-server.js';
export * from './window-stream.js';
export * from './stream-follower.js';
