/**
 * Close codes come from the one table of codes (libs/client/codes.ts, browser-safe, shared with
 * the client and checked against docs/protocol.md); re-exported here for the servers.
 */
export { CloseCode, ERROR_CODES, FIRST_TERMINAL_CLOSE, errorMessage, isErrorCode, isReconnectable } from '../client/index.js';
export type { CloseCodeName, CodeInfo, ErrorCodeName, ErrorMessage } from '../client/index.js';
