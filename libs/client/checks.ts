/**
 * The shared input checks live in libs/core/checks.ts. Browsers never load this file: the gateway
 * serves core's import-free checks.ts under this name (services/gateway/assets.ts).
 */
export { CANONICAL_DECIMAL, isLevel, isObj, PLAIN_DECIMAL, seqStep, type Obj, type SeqStep } from '../core/index.js';
