/**
 * Reading a capture file (the line format lives in libs/core/capture-line.ts, shared with the
 * simulator, which replays recordings).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseCaptureLine, type CaptureLine } from '../core/index.js';

export async function* readCapture(path: string): AsyncGenerator<CaptureLine> {
  const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) {
    n++;
    const c = parseCaptureLine(line, n);
    if (c) yield c;
  }
}
