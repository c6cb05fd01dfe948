/**
 * A bounded per-connection write queue over a raw socket (style.md habit 7: every queue has a cap
 * and a named overflow policy). Frames are pre-built buffers (frame.ts); flushes are batched per
 * connection (one corked write per event-loop turn, or per task) and hand the socket no more than
 * `socketHighWaterBytes`, so what a stalled client costs is bounded by the caps: frames waiting
 * here (≤ maxMessages, ≤ maxBytes) plus at most the socket's high-water mark.
 *
 * On overflow the owner's `onOverflow` decides: the firehose closes the client (slow consumer),
 * the gateway conflates book data. A slow client never delays another: nothing here waits.
 */
import type { Socket } from 'node:net';

export interface WriteQueueLimits {
  maxMessages: number;
  maxBytes: number;
  /** bytes allowed in the socket's own buffer before we hold frames back */
  socketHighWaterBytes: number;
}

export const DEFAULT_WRITE_QUEUE_LIMITS: WriteQueueLimits = { maxMessages: 10_000, maxBytes: 4 * 1024 * 1024, socketHighWaterBytes: 256 * 1024 };

export type OverflowReason = 'messages' | 'bytes';

export class WriteQueue {
  private frames: Buffer[] = [];
  /** messages held by each frame (a pre-joined batch of frames counts as many) */
  private counts: number[] = [];
  private head = 0;
  private bytes = 0;
  private messages = 0;
  private scheduled = false;
  private flushAtTaskEnd = false;
  private closed = false;
  /** frames discarded by `clear` or closing */
  dropped = 0;

  constructor(
    private readonly socket: Socket,
    private readonly limits: WriteQueueLimits,
    private readonly onOverflow: (reason: OverflowReason) => void,
  ) {
    socket.on('drain', () => this.schedule());
  }

  /** Messages waiting in this queue (not yet handed to the socket). */
  get depth(): number {
    return this.messages;
  }

  get queuedBytes(): number {
    return this.bytes;
  }

  /** Bytes held by the socket itself, not yet on the wire. */
  get socketBytes(): number {
    return this.socket.writableLength;
  }

  /**
   * Enqueue a frame to be written on the next turn; returns false (and reports overflow) when the
   * caps would be exceeded. `messages` > 1 when `frame` is several WebSocket frames joined once
   * for many sockets (the firehose's batches), so the message cap still counts messages, not buffers.
   */
  push(frame: Buffer, messages = 1): boolean {
    if (!this.append(frame, messages)) return false;
    this.schedule();
    return true;
  }

  /**
   * Like `push`, but written when the current task ends (a microtask, as nats.js does with its
   * publishes): the frames built while handling one socket read (a NATS read holding several
   * books) leave in one write per connection, and the first of them waits only for the rest of
   * that read, not for the event loop's next turn (the gateway).
   */
  sendAtTaskEnd(frame: Buffer, messages = 1): boolean {
    if (!this.append(frame, messages)) return false;
    if (!this.flushAtTaskEnd) {
      this.flushAtTaskEnd = true;
      queueMicrotask(() => {
        this.flushAtTaskEnd = false;
        this.flush();
      });
    }
    return true;
  }

  /** Enqueue without writing: several appends then one `flush` go out in one write. */
  append(frame: Buffer, messages = 1): boolean {
    if (this.closed) return false;
    if (this.messages + messages > this.limits.maxMessages) {
      this.onOverflow('messages');
      return false;
    }
    if (this.bytes + frame.length > this.limits.maxBytes) {
      this.onOverflow('bytes');
      return false;
    }
    this.frames.push(frame);
    this.counts.push(messages);
    this.bytes += frame.length;
    this.messages += messages;
    return true;
  }

  /** Drop everything not yet handed to the socket (conflation); returns how many frames. */
  clear(): number {
    const n = this.messages;
    this.dropped += n;
    this.frames = [];
    this.counts = [];
    this.head = 0;
    this.bytes = 0;
    this.messages = 0;
    return n;
  }

  close(): void {
    this.clear();
    this.closed = true;
  }

  /** true when nothing is waiting here and the socket buffer is below its high-water mark */
  get idle(): boolean {
    return this.depth === 0 && this.socket.writableLength < this.limits.socketHighWaterBytes;
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** Hand the socket what is queued, up to its high-water mark. */
  flush(): void {
    if (this.closed || this.socket.destroyed) return;
    const hw = this.limits.socketHighWaterBytes;
    if (this.socket.writableLength >= hw || this.depth === 0) return;
    let accepted = true;
    // corking one frame would only take the slower writev path
    const cork = this.frames.length - this.head > 1;
    if (cork) this.socket.cork();
    while (this.head < this.frames.length && this.socket.writableLength < hw) {
      const f = this.frames[this.head]!;
      this.frames[this.head] = EMPTY;
      this.messages -= this.counts[this.head]!;
      this.head++;
      this.bytes -= f.length;
      accepted = this.socket.write(f);
    }
    if (cork) this.socket.uncork();
    if (this.head === this.frames.length) {
      this.frames.length = 0;
      this.counts.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.frames.length) {
      this.frames = this.frames.slice(this.head);
      this.counts = this.counts.slice(this.head);
      this.head = 0;
    }
    // What is left waits for 'drain' when the socket said so; otherwise go again next turn.
    if (this.depth > 0 && accepted) this.schedule();
  }
}

const EMPTY = Buffer.alloc(0);
