/**
 * The live fan-out's short memory: the events of the last few milliseconds, in log order, sealed
 * into chunks (one per hub tick). Each chunk's frames are joined into one buffer once; a client
 * is handed everything after its `lastSeq`, and clients at the same position share the same
 * bytes, so an event is serialized and framed once however many clients receive it.
 *
 * A chunk stays until every live client is past it (`trim`). Pure: no sockets, no clock.
 */

/** One event (or GAP) as the hub fans it out. */
export interface HubItem {
  /** log seq; for a GAP, the last seq it covers */
  seq: number;
  frame: Buffer;
  /** absent on control items (GAP), which reach every client */
  symbol?: string;
  venue?: string;
  /** NATS publish time (JetStream store time), ms since the epoch, for the latency histogram */
  publishedMs?: number;
}

export interface Chunk {
  first: number;
  last: number;
  items: HubItem[];
  /** the items' frames, joined */
  frame: Buffer;
  /** when it was sealed (the caller's clock) */
  sealedMs: number;
}

export interface Slice {
  frame: Buffer;
  messages: number;
}

export class ChunkLog {
  private chunks: Chunk[] = [];
  /** slices handed out since the last seal or trim, by the seq they follow */
  private shared = new Map<number, Slice>();

  get size(): number {
    return this.chunks.length;
  }

  /** when the oldest chunk still held was sealed (undefined when none is) */
  get oldestSealedMs(): number | undefined {
    return this.chunks[0]?.sealedMs;
  }

  /** Append items (in log order, after everything already sealed) as one chunk. */
  seal(items: HubItem[], atMs: number): void {
    if (items.length === 0) return;
    const frame = items.length === 1 ? items[0]!.frame : Buffer.concat(items.map((i) => i.frame));
    this.chunks.push({ first: items[0]!.seq, last: items[items.length - 1]!.seq, items, frame, sealedMs: atMs });
    this.shared.clear();
  }

  /**
   * Everything after `afterSeq` as one buffer, or undefined when nothing is. Built once per
   * position and handed to every client at that position until the log changes.
   */
  since(afterSeq: number): Slice | undefined {
    const hit = this.shared.get(afterSeq);
    if (hit) return hit;
    const j = this.firstAfter(afterSeq);
    if (j === this.chunks.length) return undefined;
    const parts: Buffer[] = [];
    let messages = 0;
    const head = this.chunks[j]!;
    if (head.first > afterSeq) {
      parts.push(head.frame);
      messages += head.items.length;
    } else {
      for (const i of head.items) {
        if (i.seq > afterSeq) {
          parts.push(i.frame);
          messages++;
        }
      }
    }
    for (let k = j + 1; k < this.chunks.length; k++) {
      parts.push(this.chunks[k]!.frame);
      messages += this.chunks[k]!.items.length;
    }
    const slice = { frame: parts.length === 1 ? parts[0]! : Buffer.concat(parts), messages };
    this.shared.set(afterSeq, slice);
    return slice;
  }

  /** The frames after `afterSeq` that `keep` accepts (control items always), joined; for filtered clients. */
  matching(afterSeq: number, keep: (item: HubItem) => boolean): Slice | undefined {
    const frames: Buffer[] = [];
    for (let k = this.firstAfter(afterSeq); k < this.chunks.length; k++) {
      for (const i of this.chunks[k]!.items) {
        if (i.seq > afterSeq && (i.symbol === undefined || keep(i))) frames.push(i.frame);
      }
    }
    if (frames.length === 0) return undefined;
    return { frame: frames.length === 1 ? frames[0]! : Buffer.concat(frames), messages: frames.length };
  }

  /** Drop the chunks wholly at or below `seq`; returns them (for the hand-over histogram). */
  trim(seq: number): Chunk[] {
    let n = 0;
    while (n < this.chunks.length && this.chunks[n]!.last <= seq) n++;
    if (n === 0) return [];
    this.shared.clear();
    return this.chunks.splice(0, n);
  }

  clear(): void {
    this.chunks = [];
    this.shared.clear();
  }

  /** index of the first chunk holding a seq above `afterSeq` (the log is short: scan from the end) */
  private firstAfter(afterSeq: number): number {
    let j = this.chunks.length;
    while (j > 0 && this.chunks[j - 1]!.last > afterSeq) j--;
    return j;
  }
}
