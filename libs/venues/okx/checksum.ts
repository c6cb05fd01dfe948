/**
 * OKX legacy book checksum (venues.md §4, "Checksum — ⚠ deprecated").
 * https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel
 *
 * Best 25 bids and 25 asks after applying the message, interleaved `bidPx:bidSz:askPx:askSz:…`
 * (a shorter side just contributes fewer entries), built from the price and size strings exactly
 * as received: re-formatting a number ("0.1" vs "1e-7", trailing zeros) changes the CRC.
 * CRC32 (IEEE) of the UTF-8 string, read as a signed 32-bit integer.
 */

/** Levels per side the checksum covers. */
export const CHECKSUM_LEVELS = 25;

const CRC_TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC32 (IEEE 802.3) of a string's UTF-8 bytes, as a signed int32 (`crc | 0`). */
export function crc32Signed(s: string): number {
  const bytes = Buffer.from(s, 'utf8');
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) | 0;
}

/** Raw `[price, size]` strings of the best levels, best first. */
export type RawTop = ReadonlyArray<readonly [string, string]>;

/** The string OKX hashes: bids and asks interleaved level by level. */
export function checksumString(bids: RawTop, asks: RawTop): string {
  const parts: string[] = [];
  for (let i = 0; i < CHECKSUM_LEVELS; i++) {
    const b = bids[i];
    const a = asks[i];
    if (b) parts.push(b[0], b[1]);
    if (a) parts.push(a[0], a[1]);
    if (!a && !b) break;
  }
  return parts.join(':');
}

/**
 * crc32Signed(checksumString(bids, asks)), fed string by string: OKX books verify it on every
 * update, and the joined string plus its byte buffer were two allocations per update. Price and
 * size strings are plain ASCII decimals (validated at parse), whose UTF-8 bytes are their char
 * codes; anything else takes the reference path.
 */
export function okxChecksum(bids: RawTop, asks: RawTop): number {
  let crc = 0xffffffff;
  let first = true;
  for (let i = 0; i < CHECKSUM_LEVELS; i++) {
    const b = bids[i];
    const a = asks[i];
    if (!a && !b) break;
    if (b) {
      crc = feed(feed(crc, b[0], first), b[1], false);
      first = false;
    }
    if (a) {
      crc = feed(feed(crc, a[0], first), a[1], false);
      first = false;
    }
  }
  if (Number.isNaN(crc)) return crc32Signed(checksumString(bids, asks));
  return (crc ^ 0xffffffff) | 0;
}

/** The CRC state after `:` (unless first) and `s`; NaN from then on once a char is not ASCII. */
function feed(crc: number, s: string, first: boolean): number {
  if (Number.isNaN(crc)) return crc; // bit operations would turn NaN back into a number
  if (!first) crc = CRC_TABLE[(crc ^ 58) & 0xff]! ^ (crc >>> 8);
  for (let j = 0; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c > 0x7f) return NaN;
    crc = CRC_TABLE[(crc ^ c) & 0xff]! ^ (crc >>> 8);
  }
  return crc;
}
