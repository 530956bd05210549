import { randomBytes } from 'node:crypto';

/**
 * The client side of RFC 6455 framing, as the teacher's CLI and the benches speak it to the
 * server's exec WebSocket: frames out are masked; frames in are not, and are reassembled into
 * messages. Only the opcodes an exec session meets: continuation, text, binary, close, ping, pong.
 */

/** One masked frame (a client's frames must be masked, RFC 6455 5.1). */
export function maskedFrame(opcode: number, payload: Uint8Array): Buffer {
  const mask = randomBytes(4);
  const length = payload.length;
  const head = length < 126 ? Buffer.from([0x80 | opcode, 0x80 | length])
    : length < 65536 ? Buffer.from([0x80 | opcode, 0x80 | 126, length >> 8, length & 255])
      : Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(length)); return b; })()]);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= mask[i & 3];
  return Buffer.concat([head, mask, body]);
}

export interface FrameEvents {
  /** A whole data message (text or binary, its fragments joined). */
  message(data: Buffer): void;
  /** The server sent a close frame. */
  close(): void;
  /** The server sent a ping: answer it with a pong of the same payload. */
  ping(payload: Buffer): void;
}

/** A reader of the server's (unmasked) frames: feed it the socket's bytes as they come. */
export function serverFrameReader(events: FrameEvents): (chunk: Buffer) => void {
  let buffered: Buffer = Buffer.alloc(0);
  let fragments: Buffer[] = [];
  return (chunk) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    while (buffered.length >= 2) {
      const fin = (buffered[0] & 0x80) !== 0, opcode = buffered[0] & 0x0f;
      let length = buffered[1] & 0x7f, offset = 2;
      if (length === 126) { if (buffered.length < 4) return; length = buffered.readUInt16BE(2); offset = 4; }
      else if (length === 127) { if (buffered.length < 10) return; length = Number(buffered.readBigUInt64BE(2)); offset = 10; }
      if (buffered.length < offset + length) return;
      const payload = Buffer.from(buffered.subarray(offset, offset + length));
      buffered = buffered.subarray(offset + length);
      if (opcode === 8) { events.close(); continue; }
      if (opcode === 9) { events.ping(payload); continue; }
      if (opcode !== 0 && opcode !== 1 && opcode !== 2) continue;
      fragments.push(payload);
      if (fin) { events.message(fragments.length === 1 ? fragments[0] : Buffer.concat(fragments)); fragments = []; }
    }
  };
}
