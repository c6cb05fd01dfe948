/**
 * Firehose auth: the configured keys as digests (libs/ws/api-keys.ts: constant-time, `sha256:`
 * entries allowed), and an open feed when no key is configured.
 */
import { keyDigests, matchKey } from '../../libs/ws/index.js';

export interface KeyCheck {
  /** false when no keys are configured and the feed is open */
  readonly required: boolean;
  accepts(candidate: string | undefined): boolean;
}

export function createKeyCheck(keys: readonly string[]): KeyCheck {
  const digests = keyDigests(keys);
  return {
    required: digests.length > 0,
    accepts: (candidate) => digests.length === 0 || matchKey(candidate, digests) !== undefined,
  };
}
