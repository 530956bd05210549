import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import { maskedFrame, serverFrameReader } from '../src/client/websocketFrames.ts';

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
    const waiters = new Set<() => void>();
    const decoder = new TextDecoder();
    let endedResolve!: () => void;
    const ended = new Promise<void>((r) => (endedResolve = r));
    const api: ExecSocket = {
      get stdout() { return stdout; },
      get status() { return status; },
      send: (text) => { socket.write(maskedFrame(2, Buffer.concat([Buffer.from([0]), Buffer.from(text)]))); },
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
      close: () => { try { socket.write(maskedFrame(8, Buffer.from([3, 232]))); } catch { /* gone */ } socket.end(); },
      ended,
    };
    const onMessage = (message: Buffer) => {
      const ch = message[0];
      const text = decoder.decode(message.subarray(1));
      if (ch === 1 || ch === 2) stdout += text;
      else if (ch === 3) status = text;
      for (const w of [...waiters]) w();
    };
    const read = serverFrameReader({ message: onMessage, close: () => socket.end(), ping: (payload) => socket.write(maskedFrame(10, payload)) });
    socket.on('data', (chunk: Buffer) => {
      if (upgraded) { read(chunk); return; }
      // The handshake's answer first; whatever follows it is frames.
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffer.subarray(0, end).toString('latin1');
      const rest = buffer.subarray(end + 4);
      if (!/^HTTP\/1\.1 101/.test(head)) { reject(new Error(`no upgrade: ${head}\n${rest.toString()}`)); socket.destroy(); return; }
      upgraded = true;
      resolve(api);
      if (rest.length) read(rest);
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
