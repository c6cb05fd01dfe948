/**
 * Schema drift, noticed rather than fatal (#15.7): parsers report fields a venue sends that they
 * do not know (`unknown`), documented fallbacks they had to take (`fallback`, e.g. Bybit `cts` →
 * `ts`), and optional fields left empty (`missing`). A missing REQUIRED field still rejects the
 * frame (BAD_FRAME). The engine owns one log per venue and turns notes into outputs; the
 * collector counts them (bookfuse_collector_schema_drift_total) and logs each first occurrence.
 */
export type DriftKind = 'unknown' | 'fallback' | 'missing';

export interface DriftSink {
  note(field: string, kind: DriftKind): void;
}

export interface DriftNote {
  /** `<message>.<field>`, e.g. `orderbook.cts` */
  field: string;
  kind: DriftKind;
  /** the first time this field and kind were seen on this venue */
  first: boolean;
}

/** Distinct field/kind pairs kept per venue; later newcomers are counted as OTHER_FIELD. */
export const MAX_DRIFT_FIELDS = 64;
export const OTHER_FIELD = '(other)';
const FIELD_CHARS = /[^A-Za-z0-9_.[\]-]/g;
const EMPTY: readonly DriftNote[] = [];

export class DriftLog implements DriftSink {
  /** occurrences per `kind field` */
  readonly counts = new Map<string, number>();
  private pending: DriftNote[] = [];

  note(field: string, kind: DriftKind): void {
    // Field names come from the venue: keep them short and printable, and their number bounded.
    let name = field.replace(FIELD_CHARS, '?').slice(0, 48);
    let key = `${kind} ${name}`;
    if (!this.counts.has(key) && this.counts.size >= MAX_DRIFT_FIELDS) {
      name = OTHER_FIELD;
      key = `${kind} ${name}`;
    }
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    this.pending.push({ field: name, kind, first: n === 1 });
  }

  /** The notes since the last call. */
  take(): readonly DriftNote[] {
    if (this.pending.length === 0) return EMPTY;
    const out = this.pending;
    this.pending = [];
    return out;
  }
}

/** Note every key of `o` outside `known` as an unknown `<what>.<key>`. */
export function noteUnknown(o: Record<string, unknown>, known: ReadonlySet<string>, what: string, drift: DriftSink | undefined): void {
  if (!drift) return;
  for (const k in o) if (!known.has(k)) drift.note(`${what}.${k}`, 'unknown');
}
