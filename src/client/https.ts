import { request as httpRequest, type Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';

/**
 * One request to an apiserverless server and its whole answer, on Node: what the
 * CLI, `npm start`'s readiness probe and the benchmarks call it with. A local
 * server's certificate is self-signed, so `insecure` skips verification.
 */
export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Accept any certificate (the local self-signed one). */
  insecure?: boolean;
  /** Keep-alive pools for load (benchmarks); default: a connection per request. */
  agent?: HttpsAgent | HttpAgent;
  /** Give up when the socket is idle this long. */
  timeoutMs?: number;
}

export interface Answer {
  status: number;
  body: string;
  /** The body as received (a snapshot file is binary). */
  bytes: Uint8Array;
}

export function call(url: string | URL, options: CallOptions = {}): Promise<Answer> {
  const target = typeof url === 'string' ? new URL(url) : url;
  const send = target.protocol === 'http:' ? httpRequest : httpsRequest;
  const method = options.method ?? 'GET';
  return new Promise((resolve, reject) => {
    const req = send(target, {
      method, headers: options.headers ?? {},
      // No pool unless one is given: Node's global agent keeps connections alive (since Node 19), and a kept
      // connection the server closes just as it is reused fails the request with a reset (`socket hang up`).
      agent: options.agent ?? false,
      ...(options.insecure ? { rejectUnauthorized: false } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, body: bytes.toString('utf8'), bytes });
      });
      // A server that dies mid-body ends the response with neither 'end' nor a request
      // error; without these the caller would wait forever on a closed socket.
      const cutOff = () => new Error(`${method} ${target.href}: the connection closed before the answer was complete`);
      res.on('error', (err) => reject(res.complete ? err : cutOff()));
      res.on('close', () => { if (!res.complete) reject(cutOff()); });
    });
    req.on('error', reject);
    if (options.timeoutMs !== undefined) req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`${method} ${target.href}: no answer within ${options.timeoutMs} ms`)));
    req.end(options.body);
  });
}

/** A request to a local server over HTTPS, trusting its self-signed certificate. */
export function insecureRequest(method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return call(url, { method, headers, body, insecure: true, timeoutMs: 10_000 });
}
