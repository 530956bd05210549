import type { StreamListener, Upgrade } from '../server/upgrade.ts';
import type { WebSocketPairConstructor } from '../types/cloudflare.ts';

/**
 * The Durable Object's WebSockets: a WebSocketPair whose server end is accepted in the
 * cluster's object (so the session lives next to the cluster's data), the client end handed
 * back in the 101 that the Worker passes through to kubectl. A plain accepted socket, not the
 * hibernation API: a session holds the object in memory while it is open (a simulated process's
 * timers and stdin live there), which is what a watch already does.
 */
export function workerUpgrade(): Upgrade {
  return (_request, protocol, open) => {
    const Pair = (globalThis as unknown as { WebSocketPair: WebSocketPairConstructor }).WebSocketPair;
    const pair = new Pair();
    const client = pair[0], server = pair[1];
    server.accept();
    let listener: StreamListener | undefined;
    let ended = false;
    const end = () => { if (ended) return; ended = true; listener?.closed(); };
    listener = open({
      send: (data) => { if (!ended) server.send(data); },
      close: (code, reason) => { if (ended) return; try { server.close(code ?? 1000, reason ?? ''); } catch { /* already closing */ } end(); },
    });
    const encoder = new TextEncoder();
    server.addEventListener('message', (event) => { if (!ended) listener?.message(typeof event.data === 'string' ? encoder.encode(event.data) : new Uint8Array(event.data)); });
    server.addEventListener('close', () => { end(); try { server.close(1000, ''); } catch { /* already closed */ } });
    server.addEventListener('error', end);
    return new Response(null, { status: 101, headers: { 'Sec-WebSocket-Protocol': protocol }, webSocket: client } as ResponseInit);
  };
}
