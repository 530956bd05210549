import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';

/**
 * An exec session as kubectl 1.30+ opens it (a WebSocket on `pods/NAME/exec`, subprotocol
 * `v5.channel.k8s.io`, one channel byte before each message), driven from the test or bench
 * process itself: many sessions cost no kubectl processes. A minimal RFC 6455 client: masked
 * binary frames out; unmasked frames in, reassembled, text and close understood.
 */
export interface ExecSocket {
  /** Everything received on stdout (channel 1) and stderr (2) so far. */
  readonly stdout: string;
  /** The Status of channel 3, once the session ended. */
  readonly status: string | undefined;
  /** Types on stdin (channel 0). */
  send(text: string): void;
  /** Resolves once stdout holds the pattern (after `from` characters), with the index just past it. */
  waitFor(pattern: RegExp | string, from?: number): Promise<number>;
  close(): void;
  /** Resolves when the server closed the connection. */
  readonly ended: Promise<void>;
}

export interface ExecTarget { server: string; token: string; namespace?: string; pod: string; container?: string; command: string[]; tty?: boolean; stdin?: boolean }

function frame(opcode: number, payload: Uint8Array): Buffer {
  const mask = randomBytes(4);
  const length = payload.length;
  const head = length < 126 ? Buffer.from([0x80 | opcode, 0x80 | length])
    : length < 65536 ? Buffer.from([0x80 | opcode, 0x80 | 126, length >> 8, length & 255])
      : Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(length)); return b; })()]);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= mask[i & 3];
  return Buffer.concat([head, mask, body]);
}

export function openExec(target: ExecTarget): Promise<ExecSocket> {
  const url = new URL(target.server);
  const query = new URLSearchParams();
  for (const c of target.command) query.append('command', c);
  if (target.container) query.set('container', target.container);
  if (target.stdin ?? true) query.set('stdin', 'true');
  query.set('stdout', 'true');
  if (target.tty) query.set('tty', 'true'); else query.set('stderr', 'true');
  const path = `${url.pathname.replace(/\/$/, '')}/api/v1/namespaces/${target.namespace ?? 'default'}/pods/${target.pod}/exec?${query}`;
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({ host: url.hostname, port: Number(url.port || 443), rejectUnauthorized: false, ...(isIP(url.hostname) ? {} : { servername: url.hostname }) });
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    let stdout = '';
    let status: string | undefined;
    let fragments: Buffer[] = [];
    const waiters = new Set<() => void>();
    const decoder = new TextDecoder();
    let endedResolve!: () => void;
    const ended = new Promise<void>((r) => (endedResolve = r));
    const api: ExecSocket = {
      get stdout() { return stdout; },
      get status() { return status; },
      send: (text) => { socket.write(frame(2, Buffer.concat([Buffer.from([0]), Buffer.from(text)]))); },
      waitFor: (pattern, from = 0) => new Promise((done, fail) => {
        const check = () => {
          const rest = stdout.slice(from);
          const m = typeof pattern === 'string' ? (rest.includes(pattern) ? { index: rest.indexOf(pattern), 0: pattern } : null) : pattern.exec(rest);
          if (m) { waiters.delete(check); done(from + m.index + m[0].length); return true; }
          return false;
        };
        if (check()) return;
        waiters.add(check);
        void ended.then(() => { if (waiters.delete(check)) fail(new Error(`the session ended before ${pattern}; stdout: ${JSON.stringify(stdout)}; status: ${status}`)); });
      }),
      close: () => { try { socket.write(frame(8, Buffer.from([3, 232]))); } catch { /* gone */ } socket.end(); },
      ended,
    };
    const onMessage = (message: Buffer) => {
      const ch = message[0];
      const text = decoder.decode(message.subarray(1));
      if (ch === 1 || ch === 2) stdout += text;
      else if (ch === 3) status = text;
      for (const w of [...waiters]) w();
    };
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString('latin1');
        buffer = buffer.subarray(end + 4);
        if (!/^HTTP\/1\.1 101/.test(head)) { reject(new Error(`no upgrade: ${head}\n${buffer.toString()}`)); socket.destroy(); return; }
        upgraded = true;
        resolve(api);
      }
      for (;;) {
        if (buffer.length < 2) return;
        const fin = (buffer[0] & 0x80) !== 0, opcode = buffer[0] & 0x0f;
        let length = buffer[1] & 0x7f, offset = 2;
        if (length === 126) { if (buffer.length < 4) return; length = buffer.readUInt16BE(2); offset = 4; }
        else if (length === 127) { if (buffer.length < 10) return; length = Number(buffer.readBigUInt64BE(2)); offset = 10; }
        if (buffer.length < offset + length) return;
        const payload = buffer.subarray(offset, offset + length);
        buffer = buffer.subarray(offset + length);
        if (opcode === 8) { socket.end(); continue; }
        if (opcode === 9) { socket.write(frame(10, payload)); continue; }
        if (opcode === 10) continue;
        fragments.push(Buffer.from(payload));
        if (fin) { onMessage(Buffer.concat(fragments)); fragments = []; }
      }
    });
    socket.on('close', () => { endedResolve(); if (!upgraded) reject(new Error('closed before the upgrade')); });
    socket.on('error', (err) => { if (!upgraded) reject(err); endedResolve(); });
    socket.write([
      `GET ${path} HTTP/1.1`, `Host: ${url.host}`, 'Upgrade: websocket', 'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Protocol: v5.channel.k8s.io',
      `Authorization: Bearer ${target.token}`, '', '',
    ].join('\r\n'));
  });
}
