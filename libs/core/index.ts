export * from './errors.js';
export * from './fixed.js';
export * from './decimal.js';
export * from './side-book.js';
export * from './l2-book.js';
export * from './model.js';
export * from './instrument.js';
export * from './clock.js';
