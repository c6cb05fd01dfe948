/**
 * Server→client WebSocket frames built once and written to many sockets as the same bytes.
 * Server frames are never masked (RFC 6455 §5.1), and bookfuse turns per-message compression off,
 * so one event is serialized and framed exactly once however many clients receive it.
 */
export function textFrame(payload: string | Buffer): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const len = data.length;
  let header: Buffer;
  if (len < 126) {
    header = Buffer.allocUnsafe(2);
    header[1] = len;
  } else if (len < 65536) {
    header = Buffer.allocUnsafe(4);
    header[1] = 126;
    header.writeUInt16BE(len, 2);
  } else {
    header = Buffer.allocUnsafe(10);
    header[1] = 127;
    header.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    header.writeUInt32BE(len >>> 0, 6);
  }
  header[0] = 0x81; // FIN + text
  return Buffer.concat([header, data], header.length + len);
}
