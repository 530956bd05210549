import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { ApiError } from '../apimachinery/errors.ts';
import { decodeDocument, mediaType } from '../server/codec.ts';
import { snapshotMediaTypes } from '../tenancy/admin.ts';
import type { ClusterRecord } from '../tenancy/clusters.ts';
import { serverNodeFlags } from './node-flags.ts';
import { clusterOfPath } from './cluster-path.ts';
import { relayAnswer, RelayBuckets, relayPaceFromEnv } from './shard-relay.ts';
import { answerClientError, isLargeBody, listenOn, maxHeaderSize, parsingTlsInJavaScript, peerCertificateHeader, type RunningServer, type Tls } from './node.ts';

/**
 * The sharded Node entry (`SHARDS=N npm run start:node`): the Node entry's answer to "each
 * cluster is its own Durable Object". N child processes each run the whole Node entry
 * (node-runtime.ts: app, store, control plane, timers) for the clusters whose name hashes to
 * them; this front process terminates TLS and routes each request by cluster, so one cluster's
 * heavy request (or garbage collection) holds only its own shard's event loop.
 *
 * Processes, not worker threads: a thread shares the process's heap limit, and a shard that runs
 * out of memory or crashes takes only its own clusters down; GC pauses are per isolate either way.
 *
 * The front holds no cluster state and parses no Kubernetes request: it reads the cluster from
 * the path (`/clusters/<name>/…`; any other path is the `default` cluster's), pipes the request
 * and the answer through (watches and `logs -f` stream as written; WebSocket upgrades for
 * exec/attach/port-forward are spliced socket to socket), and passes the TLS client certificate
 * in a header only it can set (node.ts: peerCertificateHeader). Authentication, budgets and the
 * admin API's checks stay in the shard. Two admin requests are the front's own: `GET /clusters`
 * asks every shard and merges their lists, and `POST /clusters` reads the new cluster's name
 * (from the JSON/YAML body, or `?name=` for a snapshot; one is chosen here when none is given,
 * as the admin API would) to know which shard makes it.
 */

/** Which of `shards` shards serves a cluster: FNV-1a of its name. */
export function shardOf(cluster: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < cluster.length; i++) hash = Math.imul(hash ^ cluster.charCodeAt(i), 0x01000193) >>> 0;
  return hash % shards;
}

export interface ShardedServer extends RunningServer {
  shards: number;
  shardOf(cluster: string): number;
  /** Each shard's process id (a restarted shard has a new one). */
  pids(): number[];
  /** The default cluster, as its shard made it. */
  defaultCluster: ClusterRecord;
  /** How many times an answer was held for its cluster's pace (shard-relay.ts), since the start. */
  answersHeld(): number;
  /** Request body bytes piped from clients to shards, since the start (a held-back body refused unread adds none). */
  bodyBytesRelayed(): number;
}

interface Shard { index: number; socketPath: string; agent: Agent; child?: ChildProcess }

/** What a shard is started with; secrets go over the IPC channel, not the environment. */
export interface ShardInit { index: number; shards: number; socketPath: string; jwtSecret: string; adminToken?: string }

// `expect` is the front's own to send: it asks for a large body's 100 Continue itself (forward).
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect', peerCertificateHeader]);

function statusResponse(res: ServerResponse, error: ApiError): void {
  if (res.headersSent) { res.destroy(); return; }
  const body = JSON.stringify(error.toStatus());
  res.writeHead(error.code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Requests whose client asked for a 100 Continue before sending its body (Node hands them to 'checkContinue'). */
const expectingContinue = new WeakSet<IncomingMessage>();
/** Sends the client its 100 Continue, if it asked for one and has not had it yet. */
function continueClient(req: IncomingMessage, res: ServerResponse): void {
  if (expectingContinue.delete(req) && !res.headersSent) res.writeContinue();
}

export async function serveSharded(options: {
  shards: number; port: number; hostname?: string; tls: Tls;
  jwtSecret: string; adminToken?: string;
  /** The shards' environment (STORE, limits, …); default: this process's. */
  env?: Record<string, string | undefined>;
  log?: (message: string) => void;
}): Promise<ShardedServer> {
  const count = options.shards;
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new Error(`SHARDS must be a whole number from 1 to 64, not ${count}`);
  const log = options.log ?? ((m: string) => console.error(m));
  const dir = mkdtempSync(join(tmpdir(), 'apiserverless-shards-')); // mode 0700: only this user reaches the sockets
  const shards: Shard[] = Array.from({ length: count }, (_, index) => ({
    index, socketPath: join(dir, `shard-${index}.sock`), agent: new Agent({ keepAlive: true, maxSockets: Infinity }),
  }));
  let closing = false;
  let defaultCluster: ClusterRecord | undefined;

  /** Starts a shard's process; resolves when it serves. A shard that dies is started again (its memory-store clusters are lost with it). */
  const start = (shard: Shard) => new Promise<void>((resolve, reject) => {
    const child = fork(new URL('./shard.ts', import.meta.url), [], {
      execArgv: [...serverNodeFlags, '--import', import.meta.resolve('tsx'), ...(options.env?.SHARD_NODE_ARGS ?? process.env.SHARD_NODE_ARGS ?? '').split(' ').filter(Boolean)],
      env: options.env ?? process.env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    shard.child = child;
    let ready = false;
    child.on('message', (message: { ready?: true; defaultCluster?: ClusterRecord }) => {
      if (!message.ready) return;
      ready = true;
      if (message.defaultCluster) defaultCluster = message.defaultCluster;
      resolve();
    });
    child.on('exit', (code, signal) => {
      if (closing) return;
      if (!ready) { reject(new Error(`shard ${shard.index} exited (${signal ?? code}) before it served`)); return; }
      log(`shard ${shard.index} exited (${signal ?? code}); starting it again`);
      setTimeout(() => void start(shard).catch((err: Error) => log(err.message)), 1000).unref();
    });
    const init: ShardInit = { index: shard.index, shards: count, socketPath: shard.socketPath, jwtSecret: options.jwtSecret, adminToken: options.adminToken };
    child.send({ init });
  });
  try {
    await Promise.all(shards.map(start));
  } catch (err) {
    closing = true;
    for (const shard of shards) shard.child?.kill();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const shardFor = (cluster: string) => shards[shardOf(cluster, count)];
  /** Each cluster's answers are paced through the front (shard-relay.ts). */
  const relayBuckets = new RelayBuckets(relayPaceFromEnv(options.env ?? process.env));
  let answersHeld = 0;
  const spend = (cluster: string, bytes: number) => {
    const wait = relayBuckets.spend(cluster, bytes);
    if (wait > 0) answersHeld++;
    return wait;
  };

  /** The request's headers for a shard: hop-by-hop ones dropped, the client certificate (if any) set by us. */
  const forwardedHeaders = (req: IncomingMessage, extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders => {
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headersDistinct)) if (!hopByHop.has(name) && value) headers[name] = value.length === 1 ? value[0] : value;
    // Without a length the body goes chunked, as it came.
    if (req.headers['transfer-encoding']) headers['transfer-encoding'] = 'chunked';
    const raw = (req.socket as TLSSocket).getPeerCertificate?.()?.raw;
    headers[peerCertificateHeader] = raw ? raw.toString('base64') : '';
    return { ...headers, ...extra };
  };

  /** `unread`: the client's body was left unread, so its connection is closed after the answer. */
  const answerHeaders = (headers: IncomingHttpHeaders, unread = false): OutgoingHttpHeaders => {
    const out: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers)) if (!hopByHop.has(name) && value !== undefined) out[name] = value;
    // The shard closes a connection whose large body it left unread (node.ts): so does the front, to the client.
    if (headers.connection === 'close' || unread) out.connection = 'close';
    return out;
  };

  /**
   * Pipes a request to a shard and its answer back. `body`: the request's body, already read
   * (whole, or `partial`: then the rest follows from req). A large body still unread is held back
   * until the shard asks for it (`Expect: 100-continue`; node.ts sends the 100 Continue when the
   * app starts reading): a request the shard refuses unread (a 429 to a 3 MiB write) costs the
   * front its headers, not the decryption and relay of the megabytes the client sent after them.
   */
  function forward(shard: Shard, req: IncomingMessage, res: ServerResponse, options: { path?: string; body?: Buffer; partial?: boolean; headers?: OutgoingHttpHeaders } = {}): void {
    const headers = forwardedHeaders(req, options.headers);
    if (options.body && !options.partial) {
      delete headers['transfer-encoding'];
      headers['content-length'] = String(options.body.length);
    }
    const heldBack = !options.body && isLargeBody(req.headers['content-length'], req.headers['transfer-encoding'] !== undefined);
    if (heldBack) headers.expect = '100-continue';
    else continueClient(req, res);
    const upstream = httpRequest({ socketPath: shard.socketPath, agent: shard.agent, method: req.method, path: options.path ?? req.url, headers });
    let answered = false, continued = false;
    upstream.on('response', (answer) => {
      answered = true;
      // Answered before its held-back body was asked for: the body is never sent, so neither connection
      // can carry another request (the shard's would read the next one as this body; the client's, unread).
      const unsent = heldBack && !continued;
      res.writeHead(answer.statusCode ?? 502, answerHeaders(answer.headers, unsent));
      // Each chunk is written as it comes (a watch's events, a followed log's lines), at the cluster's pace.
      const cluster = clusterOfPath((options.path ?? req.url ?? '/').split('?')[0]);
      relayAnswer(answer, res, (bytes) => spend(cluster, bytes));
      answer.on('error', () => res.destroy());
      answer.on('aborted', () => res.destroy());
      if (unsent) answer.on('end', () => upstream.destroy());
      if (answer.headers.connection === 'close') req.unpipe(upstream);
    });
    // Once answered, a write error is the shard closing a connection whose body it refused to read (the answer goes on).
    upstream.on('error', () => { if (!answered) statusResponse(res, new ApiError(503, 'ServiceUnavailable', 'the shard serving this cluster is unavailable: try again in a moment')); });
    // The client left (a watch or log stream closed, a request cut off): so does the request to the shard.
    res.on('close', () => { if (!res.writableFinished) upstream.destroy(); });
    if (options.body && !options.partial) { upstream.end(options.body); return; }
    if (heldBack) {
      upstream.flushHeaders();
      upstream.once('continue', () => {
        if (answered) return;
        continued = true;
        // A client that asked for a 100 Continue itself (curl does, for large bodies) gets it now.
        continueClient(req, res);
        relayBody(req, upstream);
      });
      return;
    }
    if (options.body) upstream.write(options.body);
    relayBody(req, upstream);
  }

  let bodyBytesRelayed = 0;
  const relayBody = (req: IncomingMessage, upstream: ClientRequest) => {
    req.on('data', (chunk: Buffer) => { bodyBytesRelayed += chunk.length; });
    req.pipe(upstream);
  };

  /** A shard's whole answer to a bodiless copy of the request (GET /clusters). */
  const ask = (shard: Shard, req: IncomingMessage) => new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const headers = forwardedHeaders(req);
    delete headers['content-length'];
    delete headers['transfer-encoding'];
    const upstream = httpRequest({ socketPath: shard.socketPath, agent: shard.agent, method: req.method, path: req.url, headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }));
      answer.on('error', reject);
    });
    upstream.on('error', reject);
    upstream.end();
  });

  /** `GET /clusters`: every shard lists its own clusters (admin checks included); the lists merge in name order, as one directory lists them. */
  async function listClusters(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume();
    let answers;
    try {
      answers = await Promise.all(shards.map((shard) => ask(shard, req)));
    } catch {
      return statusResponse(res, new ApiError(503, 'ServiceUnavailable', 'a shard is unavailable: try again in a moment'));
    }
    const refused = answers.find((a) => a.status !== 200);
    if (refused) {
      res.writeHead(refused.status, answerHeaders(refused.headers));
      res.end(refused.body);
      return;
    }
    type Item = { metadata: { name: string } };
    const lists = answers.map((a) => JSON.parse(a.body.toString()) as { items: Item[] });
    const items = lists.flatMap((l) => l.items).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
    const body = JSON.stringify({ ...lists[0], items });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  /** The admin API takes a spec of at most 64 KiB; a longer body goes on unread to a shard, which refuses it as it would unsharded. */
  const maxSpecBytes = 64 * 1024;

  /** `POST /clusters`: to the shard of the cluster's name, which is chosen here when the request names none. */
  async function createCluster(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/clusters', 'https://front');
    const fallback = shardFor('default');
    const newName = () => `cluster-${crypto.randomUUID().slice(0, 8)}`;
    if (snapshotMediaTypes.has(mediaType(req.headers['content-type'] ?? null))) {
      if (!url.searchParams.get('name')) url.searchParams.set('name', newName());
      return forward(shardFor(url.searchParams.get('name')!), req, res, { path: url.pathname + url.search });
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxSpecBytes) return forward(fallback, req, res);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size > maxSpecBytes) {
        // Stop reading here; the rest follows from the socket.
        return forward(fallback, req, res, { body: Buffer.concat(chunks), partial: true });
      }
    }
    const body = Buffer.concat(chunks);
    let spec: unknown;
    try { spec = body.length ? decodeDocument(new Uint8Array(body), req.headers['content-type'] ?? 'application/json') : {}; } catch { spec = undefined; }
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return forward(fallback, req, res, { body });
    const named = spec as Record<string, unknown>;
    if (named.name === undefined) {
      const name = newName();
      return forward(shardFor(name), req, res, { body: Buffer.from(JSON.stringify({ ...named, name })), headers: { 'content-type': 'application/json' } });
    }
    return forward(typeof named.name === 'string' ? shardFor(named.name) : fallback, req, res, { body });
  }

  const route = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const admin = path === '/clusters' && (req.method === 'GET' || req.method === 'POST');
    if (!admin) { forward(shardFor(clusterOfPath(path)), req, res); return; }
    // The front reads these bodies itself (a cluster spec), so it wants them at once.
    continueClient(req, res);
    if (req.method === 'GET') void listClusters(req, res);
    else void createCluster(req, res).catch(() => res.destroy());
  };
  const server = createHttpsServer({ key: options.tls.key, cert: options.tls.cert, maxHeaderSize, requestCert: true, rejectUnauthorized: false }, route);
  // A client's `Expect: 100-continue` is answered when its body is wanted (forward), not at once as Node would.
  server.on('checkContinue', (req, res) => { expectingContinue.add(req); route(req, res); });
  server.on('clientError', answerClientError);
  parsingTlsInJavaScript(server);
  // exec, attach, port-forward: the upgrade request is replayed to the shard, then the two sockets are spliced.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const shard = shardFor(clusterOfPath((req.url ?? '/').split('?')[0]));
    const upstream = connect(shard.socketPath);
    const headers = forwardedHeaders(req);
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() !== peerCertificateHeader) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    lines.push(`${peerCertificateHeader}: ${headers[peerCertificateHeader] as string}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) upstream.write(head);
    const end = () => { socket.destroy(); upstream.destroy(); };
    socket.on('error', end);
    upstream.on('error', end);
    socket.on('close', end);
    upstream.on('close', end);
    socket.pipe(upstream);
    upstream.pipe(socket);
  });
  const { port, url } = await listenOn(server, options.port, options.hostname);
  return {
    port, shards: count, url,
    shardOf: (cluster) => shardOf(cluster, count),
    pids: () => shards.map((s) => s.child?.pid ?? 0),
    defaultCluster: defaultCluster!,
    answersHeld: () => answersHeld,
    bodyBytesRelayed: () => bodyBytesRelayed,
    async close() {
      closing = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(shards.map((shard) => new Promise<void>((resolve) => {
        shard.agent.destroy();
        const child = shard.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      })));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
