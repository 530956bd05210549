/**
 * Upgrading a request to a WebSocket, as a port: each entry brings its own (the Node entry's
 * RFC 6455 framing over the TLS socket, the Durable Object's WebSocketPair) through the
 * connection it hands the app; the handlers of exec and attach speak only this.
 */

/** The server's end of an accepted WebSocket: binary messages out, then a close. */
export interface StreamSocket {
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** What the session does with what arrives: binary (or text) messages, and the end of the connection. */
export interface StreamListener {
  message(data: Uint8Array): void;
  closed(): void;
}

/**
 * Answers the request with the upgrade to `protocol` (the subprotocol chosen from the client's
 * Sec-WebSocket-Protocol); `open` is called with the socket once it is accepted. The Response is
 * the entry's to interpret (101 with a webSocket on workerd, a marker on Node). `resumeToken`
 * (small JSON) is kept with the socket by an entry that may drop the session's memory while the
 * socket stays open (a hibernating Durable Object), to start it again (server/exec.ts resumeSession).
 */
export type Upgrade = (request: Request, protocol: string, open: (socket: StreamSocket) => StreamListener, resumeToken?: string) => Response;

/** A WebSocket handshake: GET with `Upgrade: websocket`. */
export const isWebSocketRequest = (request: Request) =>
  request.method === 'GET' && (request.headers.get('upgrade') ?? '').toLowerCase() === 'websocket';

/** The subprotocols a client offers, in its order (one header, comma-separated, or several). */
export const offeredProtocols = (request: Request) =>
  (request.headers.get('sec-websocket-protocol') ?? '').split(',').map((p) => p.trim()).filter(Boolean);
