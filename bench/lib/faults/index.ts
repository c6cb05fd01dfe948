/** Fault measurement pieces shared by bench:faults, bench:failover and the fault tests. */
export * from './topology.js';
export * from './faults.js';
export * from './book-follower.js';
export * from './firehose-reader.js';
export * from './liquidations.js';
export * from './measure.js';
export * from './run.js';
