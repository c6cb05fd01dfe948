// Types for alert-text.js (plain JS served to the browser), so Node tests can import it.
export interface AlertLike {
  kind: string;
  venue?: string;
  detail?: Record<string, unknown>;
  ts?: number;
}
export function bpsText(v: unknown): string | undefined;
export function secondsText(ms: unknown): string | undefined;
export function alertSentence(a: AlertLike): string;
export function alertDetails(a: AlertLike): string;
