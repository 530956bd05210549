import type { StreamListener, StreamSocket, Upgrade } from '../server/upgrade.ts';
import type { DurableObjectState, WebSocketPairConstructor, WorkerWebSocket } from '../types/cloudflare.ts';

/**
 * The Durable Object's WebSockets, with the hibernation API: the server end of a
 * WebSocketPair is accepted by the runtime (`state.acceptWebSocket`), so the cluster's
 * object can be evicted while a session only waits for input (an idle `kubectl exec -it`
 * costs nothing), and its messages come to the object's webSocketMessage/Close/Error.
 * While the object stays in memory each socket's session is found in `sessions`; after an
 * eviction it is started again from the token kept as the socket's attachment.
 */
export class WorkerSockets {
  private readonly sessions = new Map<WorkerWebSocket, StreamListener>();
  /** Sockets whose session ended (closed by either side): nothing more is sent or started on them. */
  private readonly ended = new WeakSet<WorkerWebSocket>();

  constructor(private readonly state: DurableObjectState) {}

  readonly upgrade: Upgrade = (_request, protocol, open, resumeToken) => {
    const Pair = (globalThis as unknown as { WebSocketPair: WebSocketPairConstructor }).WebSocketPair;
    const pair = new Pair();
    const client = pair[0], server = pair[1];
    // The attachment holds at most 2 KiB: a longer token (a long command line) is not resumable.
    if (resumeToken && resumeToken.length <= 2000) {
      this.state.acceptWebSocket(server);
      server.serializeAttachment(resumeToken);
    } else {
      // A session that cannot be started again (port-forward's SPDY state, a long exec) keeps the
      // object in memory while its socket is open: accepted by the object itself, not hibernated.
      server.accept();
      server.addEventListener('message', (event) => { void this.message(server, event.data, async () => { throw new Error('not resumable'); }); });
      server.addEventListener('close', () => this.closed(server));
      server.addEventListener('error', () => this.closed(server));
    }
    this.sessions.set(server, open(this.socket(server)));
    return new Response(null, { status: 101, headers: { 'Sec-WebSocket-Protocol': protocol }, webSocket: client } as ResponseInit);
  };

  socket(ws: WorkerWebSocket): StreamSocket {
    return {
      send: (data) => { if (!this.ended.has(ws)) { try { ws.send(data); } catch { /* the client is gone */ } } },
      close: (code, reason) => { this.end(ws); try { ws.close(code ?? 1000, reason ?? ''); } catch { /* already closing */ } },
    };
  }

  private end(ws: WorkerWebSocket): void {
    this.ended.add(ws);
    const listener = this.sessions.get(ws);
    this.sessions.delete(ws);
    listener?.closed();
  }

  /** A message for a socket: its session, or (after an eviction) the session started again from its token. */
  async message(ws: WorkerWebSocket, data: ArrayBuffer | string, resume: (token: string, socket: StreamSocket) => Promise<StreamListener>): Promise<void> {
    if (this.ended.has(ws)) return;
    let listener = this.sessions.get(ws);
    if (!listener) {
      const token = ws.deserializeAttachment();
      if (typeof token !== 'string') { this.socket(ws).close(1011, 'the session was lost'); return; }
      listener = await resume(token, this.socket(ws));
      if (this.ended.has(ws)) return;
      this.sessions.set(ws, listener);
    }
    listener.message(typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data));
  }

  closed(ws: WorkerWebSocket): void {
    this.end(ws);
    try { ws.close(1000, ''); } catch { /* already closed */ }
  }
}
