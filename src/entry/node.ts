import { createAdaptorServer, getRequestListener } from '@hono/node-server';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { unlinkSync } from 'node:fs';
import type { AddressInfo, Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { generate } from 'selfsigned';
import { ApiError, badRequest } from '../apimachinery/errors.ts';
import { maxUnreadBodyBytes } from '../server/codec.ts';
import type { Connection } from '../server/clientCertificates.ts';
import { serveUpgrade } from './node-websocket.ts';
import { clusterOfPath } from './cluster-path.ts';
import { FairTurns } from './fair-turns.ts';

/** Node adapter: serves a web-standard fetch handler over HTTPS (kubectl sends tokens only over TLS). */

export interface Tls { key: string; cert: string }

/**
 * The Node entry's serving certificate: ECDSA P-256 (kubeadm's `encryptionAlgorithm: ECDSA-P256`;
 * kubectl takes either). A full TLS handshake is the server's work before it knows the tenant,
 * and P-256 makes it cheaper than RSA-2048: 200 clients connecting at once held the loop 18-21 ms
 * against 39-56 ms, at ~0.93 ms of CPU a handshake against ~1.25 ms (measured on the 2-core
 * development machine): a student opening hundreds of connections stalls the others less.
 */
export async function selfSignedCertificate(hosts = ['localhost', '127.0.0.1']): Promise<Tls> {
  const pems = await generate([{ name: 'commonName', value: 'apiserverless' }], {
    keyType: 'ec', curve: 'P-256', days: 365, algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: hosts.map((h) => (/^\d+\.\d+\.\d+\.\d+$/.test(h) ? { type: 7, ip: h } : { type: 2, value: h })) }],
  } as Parameters<typeof generate>[1]);
  return { key: pems.private, cert: pems.cert };
}

export interface RunningServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** The process's one loop, shared by every server in it: requests start by cluster in turn (fair-turns.ts). */
const fairTurns = new FairTurns();

/**
 * Whose turn a request takes: its cluster's, as the bearer token presented for it. The path
 * alone would let anyone spend a cluster's turns (requests to `/clusters/alice/…` without
 * alice's token are refused, but only after they start); a token is what only alice holds,
 * as kube-apiserver's flows are told apart after authentication, by user.
 */
const flowOf = (path: string, authorization: string | undefined) => `${clusterOfPath(path)}\n${authorization ?? ''}`;

/** A `.` or `..` path segment, also written `%2e`. */
const dotSegment = /\/(?:\.|%2e){1,2}(?=\/|$)/i;

/**
 * URL parsing resolves dot segments before the app sees the path, so `DELETE …/pods/..`
 * would delete the namespace and `…/pods/.` the whole collection. No object can bear such
 * a name (client-go refuses them), so a raw request target holding one is refused first.
 */
function refusingDotSegments(fetch: ConnectionFetch, connectionFor: (incoming: IncomingMessage) => Connection) {
  return (request: Request, env: { incoming: { url?: string; headers?: { authorization?: string } } }) => {
    const target = (env.incoming.url ?? '').split('?')[0];
    if (!dotSegment.test(target)) return fairTurns.run(flowOf(target, env.incoming.headers?.authorization), () => fetch(request, connectionFor(env.incoming as IncomingMessage)));
    return Response.json(badRequest(`the request path ${JSON.stringify(target.slice(0, 200))} may not contain '.' or '..' segments`).toStatus(), { status: 400 });
  };
}

/**
 * An answer given without reading a large body (a 401 or 429 to a 3 MiB write) closes the
 * connection, as Go's net/http server does past 256 KiB unread: otherwise the body would
 * still be received, decrypted and thrown away to keep the connection (the adapter drains
 * up to 64 MiB), on the loop every cluster shares, for a request already refused. A client
 * sends its next request on a new connection (the Worker entry does the same: see drainUnread).
 */
function closingAfterUnreadBody(fetch: ConnectionFetch): ConnectionFetch {
  return async (request, connection) => {
    const response = await fetch(request, connection);
    if (request.bodyUsed || !hasLargeBody(request.headers)) return response;
    const headers = new Headers(response.headers);
    headers.set('connection', 'close');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}

/** A declared length past Go's bound, or a body of unknown length (chunked). */
function hasLargeBody(headers: Headers): boolean {
  return isLargeBody(headers.get('content-length'), headers.has('transfer-encoding'));
}

/** The same test on Node's header values: what the sharded front holds back until its shard asks for it. */
export function isLargeBody(contentLength: string | null | undefined, chunked: boolean): boolean {
  if (contentLength !== null && contentLength !== undefined) return Number(contentLength) > maxUnreadBodyBytes;
  return chunked;
}

/**
 * A request Node's parser rejects (a header section over the limit, a method it does not know,
 * a malformed header) never reaches the app; it is answered here, as a Status like any other
 * error, instead of Node's bare status line.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) { socket.destroy(); return; }
  const error = err.code === 'HPE_HEADER_OVERFLOW'
    ? new ApiError(431, 'RequestEntityTooLarge', 'the request header fields are too large')
    : badRequest('the request is not well-formed HTTP/1.1');
  const body = JSON.stringify(error.toStatus());
  const phrase = error.code === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
  socket.end(`HTTP/1.1 ${error.code} ${phrase}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export type ConnectionFetch = (request: Request, connection: Connection) => Response | Promise<Response>;

/** The peer certificate of each TLS connection, read once (a keep-alive connection carries many requests). */
const peers = new WeakMap<TLSSocket, Connection>();

/**
 * What the app may know of the connection: the client certificate the TLS handshake
 * received, if any. It travels beside the request, never in it, so no client can forge it.
 * The handshake asks for a certificate but accepts any (rejectUnauthorized: false): which
 * CA must have issued it depends on the cluster in the URL, which the app checks.
 */
function connectionOf(socket: TLSSocket): Connection {
  let connection = peers.get(socket);
  if (!connection) {
    const raw = socket.getPeerCertificate?.()?.raw;
    connection = { tls: raw ? { clientCertificate: new Uint8Array(raw) } : {} };
    peers.set(socket, connection);
  }
  return connection;
}

/** Headers up to 64 KiB reach the app (kube-apiserver takes 1 MiB, Node only 16 KiB): a 20 KB token is a 401, not a 431. */
export const maxHeaderSize = 64 * 1024;

/** Answers the server's WebSocket upgrades (kubectl exec) through the app, as it answers requests. */
function onUpgrade(fetch: ConnectionFetch, connectionFor: (req: IncomingMessage, socket: Duplex) => Connection) {
  return (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const target = (req.url ?? '').split('?')[0];
    const answer: ConnectionFetch = dotSegment.test(target)
      ? () => Response.json(badRequest(`the request path ${JSON.stringify(target.slice(0, 200))} may not contain '.' or '..' segments`).toStatus(), { status: 400 })
      : fetch;
    void serveUpgrade(answer, connectionFor(req, socket), req, socket, head);
  };
}

/**
 * Node's HTTP server reads a TLS connection's decrypted bytes straight into its parser
 * (`parser.consume`). When a request's headers come while the previous answer is still
 * leaving (a keep-alive client sends at once after an answer of more than 16 KiB), it pauses
 * the connection and the parser, but the TLS layer goes on handing it the rest of what it
 * decrypted: a body of more than one TLS record (16 KiB) then fails in the paused parser
 * (HPE_PAUSED), the client gets a 400 "not well-formed" and the connection hangs or drops.
 * Marked as taken before the HTTP server sees it, the connection is read through its
 * 'data' events instead, which a pause does stop.
 */
export function parsingTlsInJavaScript(server: { prependListener(event: 'secureConnection', listener: (socket: TLSSocket) => void): unknown }): void {
  server.prependListener('secureConnection', (socket) => {
    const handle = (socket as unknown as { _handle?: { _consumed?: boolean } })._handle;
    if (handle) handle._consumed = true;
  });
}

/** Listens on `port` (0: any free one) at `hostname` (127.0.0.1 unless given); the port it got and the URL to reach it. */
export async function listenOn(server: NetServer, port: number, hostname = '127.0.0.1'): Promise<{ port: number; url: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return { port: bound, url: `https://${hostname === '0.0.0.0' ? '127.0.0.1' : hostname}:${bound}` };
}

export async function serveHttps(fetch: ConnectionFetch, options: { port: number; hostname?: string; tls: Tls }): Promise<RunningServer> {
  const server = createAdaptorServer({
    fetch: refusingDotSegments(closingAfterUnreadBody(fetch), (incoming) => connectionOf(incoming.socket as TLSSocket)), createServer: createHttpsServer,
    serverOptions: { key: options.tls.key, cert: options.tls.cert, maxHeaderSize, requestCert: true, rejectUnauthorized: false },
    // @hono/node-server's own Request/Response skip web streams for whole bodies (its default; ~2× on small requests).
    overrideGlobalObjects: true,
  });
  server.on('clientError', answerClientError);
  parsingTlsInJavaScript(server);
  // WebSocket upgrades (kubectl exec) come as 'upgrade' events, not requests: the app answers them too.
  server.on('upgrade', onUpgrade(fetch, (_req, socket) => connectionOf(socket as TLSSocket)));
  const { port, url } = await listenOn(server, options.port, options.hostname);
  return {
    port, url,
    close: () => new Promise<void>((resolve) => {
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

/**
 * The header in which the sharded entry's front (shards.ts) hands a shard the client certificate
 * its TLS handshake received (base64 DER; empty: none). The front removes it from what clients
 * send and sets it itself; a shard takes it only on its Unix socket, which only the front (the
 * same user) can reach.
 */
export const peerCertificateHeader = 'x-apiserverless-peer-certificate';

/** The connection the front saw, taken out of the request's headers so the app never sees the header. */
function forwardedConnection(req: IncomingMessage): Connection {
  const value = req.headers[peerCertificateHeader];
  delete req.headers[peerCertificateHeader];
  for (let i = req.rawHeaders.length - 2; i >= 0; i -= 2) if (req.rawHeaders[i].toLowerCase() === peerCertificateHeader) req.rawHeaders.splice(i, 2);
  return { tls: typeof value === 'string' && value ? { clientCertificate: new Uint8Array(Buffer.from(value, 'base64')) } : {} };
}

/**
 * A shard of the sharded Node entry: the same app, refusals and WebSockets as serveHttps, as
 * plain HTTP/1.1 on a Unix socket behind the front, which terminated TLS. Its sockets are marked
 * encrypted so request URLs (and the kubeconfigs the admin API writes from them) say https, as
 * the client's connection does.
 */
export async function serveBehindFront(fetch: ConnectionFetch, socketPath: string): Promise<{ close(): Promise<void> }> {
  const connections = new WeakMap<IncomingMessage, Connection>();
  const listener = getRequestListener(refusingDotSegments(closingAfterUnreadBody(fetch), (incoming) => connections.get(incoming) ?? { tls: {} }), { overrideGlobalObjects: true });
  // Room for the certificate header beside the client's 64 KiB.
  const server = createHttpServer({ maxHeaderSize: maxHeaderSize + 32 * 1024 }, (req, res) => {
    connections.set(req, forwardedConnection(req));
    void listener(req, res);
  });
  // Only the front connects, and its keep-alive pool holds idle connections: closing them here would race its reuse (a reset request).
  server.keepAliveTimeout = 0;
  // The front sends a large body only after a 100 Continue (shards.ts): it is sent when the app
  // starts reading the body, so a request refused unread (401, 429, 413) never has its body relayed.
  server.on('checkContinue', (req, res) => {
    req.once('resume', () => { if (!res.headersSent) res.writeContinue(); });
    server.emit('request', req, res);
  });
  server.on('connection', (socket) => { (socket as { encrypted?: boolean }).encrypted = true; });
  server.on('clientError', answerClientError);
  server.on('upgrade', onUpgrade(fetch, (req) => forwardedConnection(req)));
  try { unlinkSync(socketPath); } catch { /* none left by an earlier run */ }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
