import { call as request } from '../client/https.ts';

/**
 * The CLI's client of the admin API (`/clusters…`, with the admin token): answers a proxy
 * dropped are sent again where that is safe.
 */

export interface Options { server: string; token: string; insecure: boolean }

/** Answers a proxy gives when the server restarted under a request (wrangler dev's 503): worth sending again. */
const dropped = (status: number, text: string) => status === 503 && !text.trimStart().startsWith('{');

/** No byte for this long means the connection is lost (a list of many clusters answers within seconds). */
const requestIdleTimeoutMs = 60_000;
/** A create answers once the cluster is provisioned (hundreds of writes): on a loaded store that can take minutes. */
export const createIdleTimeoutMs = 300_000;

/**
 * Sending again is safe for reads and deletes, and for a cluster create (a second create of a made
 * cluster is a 409, answered by fetching its kubeconfig); an extend sent twice would extend twice.
 */
const resendable = (method: string, path: string) => method === 'GET' || method === 'DELETE' || (method === 'POST' && path.split('?')[0] === 'clusters');

/** A snapshot file sent as a request body (restore, create from a snapshot). */
export class SnapshotBody { constructor(readonly bytes: Uint8Array) {} }

/** The answer's body as received: a snapshot is binary. */
export async function send(options: Options, method: string, path: string, body?: unknown): Promise<{ status: number; text: string; bytes: Uint8Array; resent: boolean }> {
  const url = new URL(path, options.server.replace(/\/$/, '') + '/');
  const snapshot = body instanceof SnapshotBody;
  const creating = method === 'POST' && url.pathname.endsWith('/clusters');
  let resent = false;
  for (let attempt = 1; ; attempt++) {
    let answer: { status: number; body: string; bytes: Uint8Array };
    try {
      answer = await request(url, {
        method, insecure: options.insecure, body: snapshot ? body.bytes : body === undefined ? undefined : JSON.stringify(body),
        headers: { authorization: `Bearer ${options.token}`, 'content-type': snapshot ? 'application/gzip' : 'application/json', accept: 'application/json' },
        timeoutMs: creating || (snapshot && method === 'PUT') ? createIdleTimeoutMs : requestIdleTimeoutMs,
      });
    } catch (err) {
      // A connection a proxy dropped or left hanging: sent again where that is safe (see `resendable`).
      if (!resendable(method, path) || attempt >= 3) throw err;
      resent = true;
      continue;
    }
    const { status, body: text } = answer;
    if (dropped(status, text) && attempt < 5) {
      resent = true;
      await new Promise((r) => setTimeout(r, 500 * attempt));
      continue;
    }
    return { status, text, bytes: answer.bytes, resent };
  }
}

export async function call(options: Options, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown>; resent: boolean }> {
  const { status, text, resent } = await send(options, method, path, body);
  try {
    return { status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {}, resent };
  } catch {
    throw new Error(`${method} /${path.split('?')[0]}: the server answered ${status} with something that is not JSON`);
  }
}

export async function expect(options: Options, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const { status, json } = await call(options, method, path, body);
  if (status >= 400) throw new Error(`${String(json.message ?? `the server answered ${status}`)}`);
  return json;
}

