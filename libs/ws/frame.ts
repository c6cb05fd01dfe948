/**
 * Server→client WebSocket frames built once and written to many sockets as the same bytes.
 * Server frames are never masked (RFC 6455 §5.1), and bookfuse turns per-message compression off,
 * so one event is serialized and framed exactly once however many clients receive it.
 */
export function textFrame(payload: string | Buffer): Buffer {
  const len = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const hdr = len < 126 ? 2 : len < 65536 ? 4 : 10;
  // one allocation: the header, then the payload written (or copied) straight after it
  const frame = Buffer.allocUnsafe(hdr + len);
  frame[0] = 0x81; // FIN + text
  if (hdr === 2) {
    frame[1] = len;
  } else if (hdr === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(len, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    frame.writeUInt32BE(len >>> 0, 6);
  }
  if (typeof payload === 'string') frame.write(payload, hdr, 'utf8');
  else payload.copy(frame, hdr);
  return frame;
}

/** An empty server ping (opcode 9): the client's pong comes back once it has read everything before it. */
export const PING_FRAME: Buffer = Buffer.from([0x89, 0x00]);
