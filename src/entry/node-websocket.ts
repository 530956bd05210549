import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Connection } from '../server/clientCertificates.ts';
import type { StreamListener, StreamSocket, Upgrade } from '../server/upgrade.ts';

/**
 * The Node entry's WebSockets: an `upgrade` request is handed to the app like any other, with
 * an Upgrade port in its connection; if the app takes the upgrade, the handshake and RFC 6455
 * framing run here on the raw TLS socket (server side: unmasked frames out, masked frames in;
 * binary, text, continuation, ping, pong, close). Small enough that the `ws` package is not
 * needed; anything else the app answers (a Status) is written as a plain HTTP/1.1 response.
 */

/** The largest message a client may send (an exec's stdin comes in small chunks). */
const maxMessageBytes = 1 << 20;
const websocketGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

type ConnectionFetch = (request: Request, connection: Connection) => Response | Promise<Response>;

const reasons: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

async function writeResponse(socket: Duplex, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const lines = [`HTTP/1.1 ${response.status} ${reasons[response.status] ?? 'Error'}`];
  response.headers.forEach((value, name) => { if (!['content-length', 'connection', 'transfer-encoding'].includes(name)) lines.push(`${name}: ${value}`); });
  lines.push(`Content-Length: ${body.length}`, 'Connection: close', '', '');
  socket.end(Buffer.concat([Buffer.from(lines.join('\r\n')), body]));
}

function encodeFrame(opcode: number, payload: Uint8Array): Buffer {
  const length = payload.length;
  const header = length < 126 ? Buffer.alloc(2) : length < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = 0x80 | opcode;
  if (length < 126) header[1] = length;
  else if (length < 65536) { header[1] = 126; header.writeUInt16BE(length, 2); } else { header[1] = 127; header.writeBigUInt64BE(BigInt(length), 2); }
  return Buffer.concat([header, payload]);
}

/** Frames in, messages out: reassembles fragments, answers pings, reports a close. */
function readFrames(socket: Duplex, head: Buffer, listener: () => StreamListener | undefined, send: (opcode: number, data: Uint8Array) => void, fail: (code: number) => void) {
  let buffered = head;
  let fragments: Buffer[] = [];
  let fragmentBytes = 0;
  const onData = (chunk: Buffer) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    while (buffered.length >= 2) {
      const fin = (buffered[0] & 0x80) !== 0, opcode = buffered[0] & 0x0f;
      const masked = (buffered[1] & 0x80) !== 0;
      let length = buffered[1] & 0x7f, offset = 2;
      if (length === 126) { if (buffered.length < 4) return; length = buffered.readUInt16BE(2); offset = 4; }
      else if (length === 127) { if (buffered.length < 10) return; const big = buffered.readBigUInt64BE(2); if (big > BigInt(maxMessageBytes)) return fail(1009); length = Number(big); offset = 10; }
      // A client's frames are masked (RFC 6455 5.1); one that is not is a protocol error.
      if (!masked) return fail(1002);
      if (length > maxMessageBytes) return fail(1009);
      if (buffered.length < offset + 4 + length) return;
      const mask = buffered.subarray(offset, offset + 4);
      const payload = Buffer.from(buffered.subarray(offset + 4, offset + 4 + length));
      for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
      buffered = buffered.subarray(offset + 4 + length);
      if (opcode === 0x8) { send(0x8, payload.subarray(0, 2)); socket.end(); return; }
      if (opcode === 0x9) { send(0xa, payload); continue; }
      if (opcode === 0xa) continue;
      if (opcode !== 0x0 && opcode !== 0x1 && opcode !== 0x2) return fail(1002);
      fragments.push(payload);
      fragmentBytes += payload.length;
      if (fragmentBytes > maxMessageBytes) return fail(1009);
      if (fin) {
        const message = fragments.length === 1 ? fragments[0] : Buffer.concat(fragments);
        fragments = [];
        fragmentBytes = 0;
        listener()?.message(new Uint8Array(message.buffer, message.byteOffset, message.length));
      }
    }
  };
  socket.on('data', onData);
  if (head.length) { buffered = Buffer.alloc(0); onData(head); }
}

/** Serves one `upgrade` event of the HTTPS server through the app. */
export async function serveUpgrade(fetch: ConnectionFetch, connection: Connection, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  socket.on('error', () => socket.destroy());
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const request = new Request(`https://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, { method: req.method, headers });
  let accepted: { protocol: string; open: (socket: StreamSocket) => StreamListener } | undefined;
  const upgrade: Upgrade = (_request, protocol, open) => {
    accepted = { protocol, open };
    // Node's Response cannot say 101: the marker only has to pass back through the pipeline.
    return new Response(null, { status: 200, headers: { 'x-apiserverless-upgrade': protocol } });
  };
  let response: Response;
  try {
    // A pod's process reaching the API server: a plain request to the same app, with no client's connection.
    const loopback = async (call: Request) => fetch(call, {});
    response = await fetch(request, { ...connection, upgrade, loopback });
  } catch {
    socket.destroy();
    return;
  }
  const key = req.headers['sec-websocket-key'];
  if (!accepted || response.status !== 200 || typeof key !== 'string') { await writeResponse(socket, response); return; }

  const acceptKey = createHash('sha1').update(key + websocketGuid).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey}\r\nSec-WebSocket-Protocol: ${accepted.protocol}\r\n\r\n`);
  let closed = false;
  const send = (opcode: number, data: Uint8Array) => { if (!closed && socket.writable) socket.write(encodeFrame(opcode, data)); };
  const streamSocket: StreamSocket = {
    send: (data) => send(0x2, data),
    close(code = 1000, reason = '') {
      if (closed) return;
      const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
      payload.writeUInt16BE(code, 0);
      payload.write(reason, 2);
      send(0x8, payload);
      closed = true;
      socket.end();
    },
  };
  let listener: StreamListener | undefined;
  let ended = false;
  const end = () => { if (ended) return; ended = true; closed = true; listener?.closed(); };
  socket.on('close', end);
  socket.on('end', end);
  listener = accepted.open(streamSocket);
  readFrames(socket, head, () => listener, send, (code) => streamSocket.close(code, ''));
}
