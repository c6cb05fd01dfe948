/**
 * Line arbitration for one venue book (venue + symbol), the way exchanges' A/B feeds are
 * arbitrated: every collector line's copy is kept warm (LineBook), the consensus takes the book
 * from one chosen line, and switches to another line in one step (a snapshot of that line's book,
 * then its last status) when the chosen one
 * - breaks its seq chain (switch at once, instead of a RESYNC),
 * - reports the venue down or the book not live (switch at once, instead of a STALE), or
 * - stays silent while another line delivers for longer than `silenceMs`.
 * A line is switched to only when it is in sequence and its collector reports it live. The
 * chosen line's own messages pass through unchanged, so with one line nothing changes.
 * Pure: the caller feeds messages and ticks and carries out what comes back.
 */
import type { BookMessage, StatusMessage, SymbolStatus } from '../core/index.js';
import { LineBook, type LineApply } from './line-book.js';

/** Messages without a `line` come from the default line. */
export const DEFAULT_LINE = 'A';

export type SwitchReason = 'first' | 'gap' | 'down' | 'not_live' | 'silent';

export interface LineStep {
  /** what the line's own copy did with the message */
  applied?: LineApply;
  /** messages for the consensus book, in order */
  forward: BookMessage[];
  /** the status (restricted to this book) for the consensus book, after `forward` */
  status?: StatusMessage;
  /** lines whose copy needs a collector snapshot */
  resync: string[];
  switched?: { from: string | undefined; to: string; reason: SwitchReason };
}

export class LineArbiter {
  readonly lines = new Map<string, LineBook>();
  chosen: string | undefined;
  /** per non-chosen line: merger time of its earliest book message the chosen line has not matched */
  private readonly unmatchedSince = new Map<string, number>();

  constructor(
    readonly venue: string,
    readonly symbol: string,
    private readonly silenceMs: number,
  ) {}

  /** A book message from any line: published, or (`reply`) a snapshot that answered a request. */
  onBook(msg: BookMessage, now: number, reply = false): LineStep {
    const line = msg.line ?? DEFAULT_LINE;
    const lb = this.line(line);
    const result = lb.apply(msg, now, reply);
    const step: LineStep = { applied: result, forward: [], resync: result === 'gap' ? [line] : [] };
    if (this.chosen === undefined) {
      if (lb.phase === 'live') this.switchTo(line, 'first', now, step);
      return step;
    }
    if (line !== this.chosen) {
      if (!this.unmatchedSince.has(line)) this.unmatchedSince.set(line, now);
      return step;
    }
    this.unmatchedSince.clear();
    if (result === 'gap') {
      const to = this.alternative(line);
      if (to !== undefined) {
        this.switchTo(to, 'gap', now, step);
        return step;
      }
    }
    if (result !== 'ignored') step.forward.push(msg);
    return step;
  }

  /**
   * A collector status for this venue from one line. The consensus sees it only when it comes
   * from the chosen line, and only after a switch it may cause (so a line going down is a switch,
   * not a STALE).
   */
  onStatus(msg: StatusMessage, now: number): LineStep {
    const line = msg.line ?? DEFAULT_LINE;
    const lb = this.line(line);
    const s: SymbolStatus | undefined = msg.symbols[this.symbol];
    const behind = lb.onStatus(msg.state, s);
    const step: LineStep = { forward: [], resync: behind ? [line] : [] };
    if (this.chosen === undefined) step.status = restrict(msg, this.symbol, s);
    if (line !== this.chosen) return step;
    if (!lb.usable) {
      const to = this.alternative(line);
      if (to !== undefined) {
        this.switchTo(to, behind ? 'gap' : msg.state === 'down' ? 'down' : 'not_live', now, step);
        return step;
      }
    }
    step.status = restrict(msg, this.symbol, s);
    return step;
  }

  /** Time passed: a silent or broken chosen line gives way to one that delivers. */
  tick(now: number): LineStep {
    const step: LineStep = { forward: [], resync: [] };
    if (this.chosen === undefined) return step;
    const current = this.lines.get(this.chosen)!;
    if (!current.usable) {
      const to = this.alternative(this.chosen);
      if (to !== undefined) this.switchTo(to, current.phase === 'live' ? 'not_live' : 'gap', now, step);
      return step;
    }
    for (const [line, since] of this.unmatchedSince) {
      if (now - since > this.silenceMs && this.lines.get(line)?.usable) {
        this.switchTo(line, 'silent', now, step);
        break;
      }
    }
    return step;
  }

  /** Lines that need a collector snapshot (their copy is not in sequence). */
  needsSnapshot(): string[] {
    return [...this.lines.values()].filter((l) => l.phase !== 'live').map((l) => l.line);
  }

  private line(line: string): LineBook {
    let lb = this.lines.get(line);
    if (lb === undefined) {
      lb = new LineBook(line);
      this.lines.set(line, lb);
    }
    return lb;
  }

  /** Another usable line, the most recently active first. */
  private alternative(from: string): string | undefined {
    let best: LineBook | undefined;
    for (const lb of this.lines.values()) {
      if (lb.line === from || !lb.usable) continue;
      if (best === undefined || lb.lastActivity > best.lastActivity) best = lb;
    }
    return best?.line;
  }

  private switchTo(line: string, reason: SwitchReason, now: number, step: LineStep): void {
    const lb = this.lines.get(line)!;
    step.switched = { from: this.chosen, to: line, reason };
    this.chosen = line;
    this.unmatchedSince.clear();
    step.forward.push(lb.toSnapshot(this.venue, this.symbol, now));
    if (lb.status !== undefined) step.status = { v: 1, venue: this.venue, state: lb.venueState, symbols: { [this.symbol]: lb.status }, ts: now, line };
  }
}

function restrict(msg: StatusMessage, symbol: string, s: SymbolStatus | undefined): StatusMessage {
  return { ...msg, symbols: s === undefined ? {} : { [symbol]: s } };
}
