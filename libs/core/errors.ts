/**
 * Every failure bookfuse raises carries a stable code and a retry decision, so callers branch on
 * data, never on message text (style.md habit 6).
 */
export type ErrorCode =
  // input that did not parse or did not fit the contract
  | 'BAD_FRAME'
  | 'BAD_NUMBER'
  | 'PRECISION_EXCEEDED'
  | 'UNKNOWN_SYMBOL'
  | 'BAD_MESSAGE'
  // order-book integrity
  | 'SEQUENCE_GAP'
  | 'CHECKSUM_MISMATCH'
  | 'CROSSED_BOOK'
  | 'STALE_SNAPSHOT'
  | 'BOOK_RESET'
  | 'NOT_CONVERTIBLE'
  // IO
  | 'HTTP_ERROR'
  | 'RATE_LIMITED'
  | 'IP_BANNED'
  | 'CONNECTION_LOST'
  | 'SILENT_FEED'
  | 'TIMEOUT'
  // configuration
  | 'BAD_CONFIG';

export class BookfuseError extends Error {
  readonly code: ErrorCode;
  /** true when trying the same thing again later can succeed */
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { retryable?: boolean; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'BookfuseError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.details = opts.details;
  }
}

export function isBookfuseError(e: unknown): e is BookfuseError {
  return e instanceof BookfuseError;
}

/** Code of any thrown value: ours keep theirs, anything else is an unclassified bad frame. */
export function errorCode(e: unknown): ErrorCode {
  return isBookfuseError(e) ? e.code : 'BAD_FRAME';
}
