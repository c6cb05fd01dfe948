/** Pre-built server frames decode, with any payload length, as the ws library reads them. */
import { describe, expect, it } from 'vitest';
import * as wsModule from 'ws';
import { PING_FRAME, textFrame } from '../../libs/ws/index.js';

/** ws's own frame parser (exported, but not in its type definitions): an independent decoder */
interface FrameReceiver {
  on(event: 'message', fn: (data: Buffer) => void): void;
  on(event: 'ping', fn: () => void): void;
  write(chunk: Buffer): void;
}
const { Receiver } = wsModule as unknown as { Receiver: new (opts: { isServer: boolean }) => FrameReceiver };

function decode(frames: Buffer): { texts: string[]; pings: number } {
  const texts: string[] = [];
  let pings = 0;
  const r = new Receiver({ isServer: false });
  r.on('message', (d: Buffer) => texts.push(d.toString()));
  r.on('ping', () => pings++);
  r.write(frames);
  return { texts, pings };
}

describe('textFrame', () => {
  it('uses the 7-bit, 16-bit and 64-bit length forms at their bounds, multi-byte text included', () => {
    const payloads = ['', 'x', 'a'.repeat(125), 'b'.repeat(126), 'é'.repeat(40_000), 'c'.repeat(65_535), 'd'.repeat(65_536), '€'.repeat(30_000)];
    const { texts } = decode(Buffer.concat(payloads.map((p) => textFrame(p))));
    expect(texts).toEqual(payloads);
  });

  it('frames a Buffer payload the same as its text', () => {
    expect(textFrame(Buffer.from('{"seq":1}')).equals(textFrame('{"seq":1}'))).toBe(true);
  });

  it('PING_FRAME is an empty ping', () => {
    expect(decode(PING_FRAME)).toEqual({ texts: [], pings: 1 });
  });
});
