/** A request the gateway refuses: its code from the code table and why (client-protocol.ts answers with it). */
import type { ErrorCodeName } from '../../libs/client/index.js';

export interface Refusal {
  code: ErrorCodeName;
  message: string;
}
