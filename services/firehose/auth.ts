/**
 * API keys are kept only as SHA-256 digests and compared in constant time, so neither memory
 * dumps nor timing reveal a key. Config may already hold digests (`sha256:<hex>`), keeping the
 * plain keys out of the environment too.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const DIGEST_PREFIX = 'sha256:';

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export interface KeyCheck {
  /** false when no keys are configured and the feed is open */
  readonly required: boolean;
  accepts(candidate: string | undefined): boolean;
}

export function createKeyCheck(keys: readonly string[]): KeyCheck {
  // entries were checked by config.ts: a sha256: entry holds 64 hex digits
  const digests = keys.map((k) => (k.startsWith(DIGEST_PREFIX) ? Buffer.from(k.slice(DIGEST_PREFIX.length), 'hex') : digest(k)));
  return {
    required: digests.length > 0,
    accepts(candidate) {
      if (digests.length === 0) return true;
      if (!candidate) return false;
      const d = digest(candidate);
      // every digest is compared, so the time taken does not say which key came close
      let ok = false;
      for (const k of digests) ok = timingSafeEqual(k, d) || ok;
      return ok;
    },
  };
}
