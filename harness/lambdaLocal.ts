import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { startSqsPoller, type SqsPoller } from '../src/queue/sqsPoller.ts';
import type { SqsBatchResponse, SqsEvent } from '../src/queue/sqsEvents.ts';

/**
 * The Lambda service, on one machine, as much of it as the deployed topology uses
 * (infra/lambda.yaml): functions whose instances each run one invocation at a time in a
 * process of their own, started cold when none is idle and kept warm after; a Function URL
 * front (payload format 2.0, response streaming with its prelude); an SQS event source
 * mapping; a schedule. The code under test is the bundle `npm run bundle:lambda` makes,
 * loaded as Lambda's Node.js runtime loads it, with the `awslambda` global that runtime
 * provides. What it does not copy is said where it matters.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles src/entry/lambda.ts exactly as `npm run bundle:lambda` does (its flags are read from package.json), to `outfile`. */
export function bundleLambda(outfile: string, entry = 'src/entry/lambda.ts'): string {
  const script = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['bundle:lambda'];
  const command = script.replace('src/entry/lambda.ts', JSON.stringify(entry)).replace('--outfile=dist/lambda/index.mjs', `--outfile=${JSON.stringify(outfile)}`);
  const esbuild = join(root, 'node_modules', '.bin', 'esbuild');
  // NODE_PATH: an entry outside this tree (the bench's baseline) resolves its imports from here.
  execFileSync('sh', ['-c', command.replace(/^esbuild /, `${JSON.stringify(esbuild)} `)], { cwd: root, stdio: 'pipe', env: { ...process.env, NODE_PATH: join(root, 'node_modules') } });
  return outfile;
}

/**
 * One instance's process: Lambda's Node.js runtime in small. It defines `awslambda` (a
 * streaming handler is one `streamifyResponse` marked, and `HttpResponseStream.from` writes
 * the Function URL prelude: the metadata as JSON, then eight zero bytes), imports the bundle
 * (the cold start), then runs the invocations it is sent, one at a time, over IPC.
 */
const instanceSource = String.raw`
const [bundle, exportName] = process.argv.slice(1);
const streaming = Symbol.for('aws.lambda.runtime.handler.streaming');
globalThis.awslambda = {
  streamifyResponse(handler) { handler[streaming] = 'response'; return handler; },
  HttpResponseStream: { from(stream, prelude) { stream.write(JSON.stringify(prelude)); stream.write(new Uint8Array(8)); return stream; } },
};
const { Writable } = await import('node:stream');
const send = (message) => new Promise((resolve) => process.send(message, undefined, undefined, () => resolve()));
process.on('disconnect', () => process.exit(0));
const module = await import(bundle);
const handler = module[exportName];
if (typeof handler !== 'function') throw new Error('the bundle exports no ' + exportName);
const streams = new Map();
process.on('message', async (message) => {
  const { id } = message;
  if (message.abort) { streams.get(id)?.destroy(new Error('the client went away')); return; }
  const context = { awsRequestId: id, functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, getRemainingTimeInMillis: () => message.deadline - Date.now() };
  try {
    if (handler[streaming] === 'response') {
      const stream = new Writable({ write(chunk, _e, done) { send({ id, chunk: new Uint8Array(chunk) }).then(() => done()); } });
      // A client that went away destroys the stream; the handler sees it fail, the instance lives on.
      stream.on('error', () => {});
      streams.set(id, stream);
      const finished = new Promise((resolve) => stream.on('close', resolve).on('finish', resolve));
      await handler(message.event, stream, context);
      await finished;
      streams.delete(id);
      await send({ id, done: true });
    } else {
      await send({ id, done: true, result: await handler(message.event, context) });
    }
  } catch (error) {
    streams.delete(id);
    await send({ id, done: true, error: { errorType: error?.name ?? 'Error', errorMessage: String(error?.message ?? error) } });
  }
});
await send({ ready: true });
`;

interface Invocation {
  id: string;
  onChunk?(chunk: Uint8Array): void;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

interface Instance {
  process: ChildProcess;
  ready: Promise<void>;
  busy?: Invocation;
  /** Stopped between invocations, as Lambda freezes an idle instance. */
  frozen?: boolean;
}

export interface FunctionOptions {
  name: string;
  bundle: string;
  /** The export the template's `Handler: index.<export>` names. */
  exportName: string;
  env: Record<string, string>;
  /** Lambda's timeout: an invocation still running then is ended with its instance. */
  timeoutSeconds: number;
  /** Where the instances' stdout and stderr go (CloudWatch Logs, there). */
  log?(line: string): void;
}

/** Thrown for an invocation whose instance died, timed out or whose handler threw. */
export class InvocationError extends Error {}

/**
 * A function: instances are processes, each running one invocation at a time (Lambda's
 * concurrency model: a watch holds its instance as long as it streams); an invocation takes
 * an idle instance or starts a new one (a cold start). Idle instances are frozen, as Lambda
 * freezes them.
 */
export class LambdaFunction {
  private readonly instances = new Set<Instance>();
  private stopped = false;
  /** Invocations so far, and instances started (cold starts). */
  invocations = 0;
  coldStarts = 0;
  /** For tests: the next invocation's instance is killed (SIGKILL) once the event is handed to it. */
  killNext = false;

  constructor(private readonly options: FunctionOptions) {}

  /** A buffered invocation (Invoke, RequestResponse): the handler's result. */
  invoke(event: unknown): Promise<unknown> {
    return this.run(event);
  }

  /** A streaming invocation (InvokeWithResponseStream): each chunk as it is written. */
  async invokeStreaming(event: unknown, onChunk: (chunk: Uint8Array) => void, abort?: AbortSignal): Promise<void> {
    await this.run(event, onChunk, abort);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.instances].map((instance) => this.end(instance)));
  }

  private async run(event: unknown, onChunk?: (chunk: Uint8Array) => void, abort?: AbortSignal): Promise<unknown> {
    if (this.stopped) throw new InvocationError(`${this.options.name} is stopped`);
    this.invocations++;
    const instance = [...this.instances].find((i) => !i.busy) ?? this.start();
    const id = randomUUID();
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        void this.end(instance);
        reject(new InvocationError(`Task timed out after ${this.options.timeoutSeconds.toFixed(2)} seconds`));
      }, this.options.timeoutSeconds * 1000);
      const finish = () => {
        clearTimeout(timer);
        abort?.removeEventListener('abort', onAbort);
        if (instance.busy?.id === id) instance.busy = undefined;
        this.freeze(instance);
      };
      const onAbort = () => instance.process.connected && instance.process.send({ id, abort: true });
      abort?.addEventListener('abort', onAbort, { once: true });
      instance.busy = {
        id, onChunk,
        resolve: (result) => { finish(); resolve(result); },
        reject: (error) => { finish(); reject(error); },
      };
      void instance.ready.then(() => {
        if (instance.busy?.id !== id) return;
        this.thaw(instance);
        instance.process.send({ id, event, deadline: Date.now() + this.options.timeoutSeconds * 1000 });
        if (this.killNext) {
          this.killNext = false;
          instance.process.kill('SIGKILL');
        }
      }, (error: Error) => instance.busy?.reject(new InvocationError(`${this.options.name}: the instance did not start: ${error.message}`)));
    });
  }

  /**
   * Lambda freezes an instance between invocations: its timers and sockets stand still, so
   * whatever the code left running in the background waits for the next invocation (or never
   * runs). SIGSTOP does the same here; it also keeps idle instances from costing CPU.
   */
  private freeze(instance: Instance): void {
    if (!instance.busy && !instance.frozen && instance.process.exitCode === null && instance.process.signalCode === null) {
      instance.frozen = true;
      instance.process.kill('SIGSTOP');
    }
  }

  private thaw(instance: Instance): void {
    if (!instance.frozen) return;
    instance.frozen = false;
    instance.process.kill('SIGCONT');
  }

  private start(): Instance {
    const { bundle, exportName, env, name, log } = this.options;
    this.coldStarts++;
    const child = spawn(process.execPath, ['--input-type=module', '--no-warnings', '-e', instanceSource, bundle, exportName], {
      cwd: dirname(bundle),
      // Lambda gives a function only the variables it declares (and its own): nothing of this process's.
      env: { PATH: process.env.PATH ?? '', AWS_LAMBDA_FUNCTION_NAME: name, AWS_REGION: 'us-east-1', ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    let readyResolve!: () => void, readyReject!: (error: Error) => void;
    const instance: Instance = { process: child, ready: new Promise((res, rej) => { readyResolve = res; readyReject = rej; }) };
    instance.ready.catch(() => {});
    this.instances.add(instance);
    const lines = (stream: NodeJS.ReadableStream | null) => {
      let rest = '';
      stream?.on('data', (chunk: Buffer) => {
        const parts = (rest + chunk.toString()).split('\n');
        rest = parts.pop() ?? '';
        for (const line of parts) log?.(`[${name}] ${line}`);
      });
    };
    lines(child.stdout);
    lines(child.stderr);
    child.on('message', (message: { ready?: true; id?: string; chunk?: Uint8Array; done?: true; result?: unknown; error?: { errorType: string; errorMessage: string } }) => {
      if (message.ready) return readyResolve();
      const busy = instance.busy;
      if (!busy || busy.id !== message.id) return;
      if (message.chunk) busy.onChunk?.(message.chunk);
      else if (message.done && message.error) busy.reject(new InvocationError(`${message.error.errorType}: ${message.error.errorMessage}`));
      else if (message.done) busy.resolve(message.result);
    });
    child.on('exit', (code, signal) => {
      this.instances.delete(instance);
      const why = `${name}: the instance exited (${signal ?? `code ${code}`})`;
      readyReject(new Error(why));
      instance.busy?.reject(new InvocationError(why));
    });
    return instance;
  }

  private async end(instance: Instance): Promise<void> {
    if (instance.process.exitCode !== null || instance.process.signalCode !== null) return;
    const exited = new Promise((resolve) => instance.process.once('exit', resolve));
    instance.process.kill('SIGKILL');
    await exited;
  }
}

/** Headers a Function URL does not hand the function (hop-by-hop, and what the front itself answers for). */
const droppedRequestHeaders = new Set(['connection', 'keep-alive', 'upgrade', 'transfer-encoding', 'te', 'trailer', 'proxy-connection']);
/** What a Function URL accepts: a request payload of at most 6 MB. */
const maxRequestBytes = 6 * 1024 * 1024;
/** Content types a Function URL hands over as text; any other body arrives base64-encoded. */
const textBody = /^(text\/|application\/(json|[\w.+-]+\+json|yaml|x-yaml|xml|javascript|x-www-form-urlencoded)\b)/i;

/** The payload format 2.0 event a Function URL gives the function for `req`. */
export function functionUrlEvent(req: IncomingMessage, body: Buffer, host: string): Record<string, unknown> {
  const url = new URL(req.url ?? '/', 'https://local');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || droppedRequestHeaders.has(name) || name === 'cookie') continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  headers['x-forwarded-proto'] = 'https';
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '127.0.0.1';
  const text = textBody.test(req.headers['content-type'] ?? '');
  const now = new Date();
  return {
    version: '2.0', routeKey: '$default', rawPath: url.pathname, rawQueryString: url.search.slice(1),
    cookies: req.headers.cookie ? req.headers.cookie.split(/;\s*/) : undefined,
    headers,
    queryStringParameters: url.search ? Object.fromEntries([...url.searchParams.keys()].map((k) => [k, url.searchParams.getAll(k).join(',')])) : undefined,
    requestContext: {
      accountId: 'anonymous', apiId: 'local', domainName: host, domainPrefix: host.split('.')[0],
      http: { method: req.method, path: url.pathname, protocol: `HTTP/${req.httpVersion}`, sourceIp: headers['x-forwarded-for'], userAgent: req.headers['user-agent'] ?? '' },
      requestId: randomUUID(), routeKey: '$default', stage: '$default', time: now.toUTCString(), timeEpoch: now.getTime(),
    },
    body: body.length ? (text ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: body.length > 0 && !text,
  };
}

/**
 * Splits a streamed Function URL response into its prelude (`{statusCode, headers, cookies}`
 * as JSON, then eight zero bytes) and the body that follows, as the front does.
 */
class PreludeReader {
  private buffered = Buffer.alloc(0);
  prelude?: { statusCode?: number; headers?: Record<string, string>; cookies?: string[] };

  /** Feeds a chunk; answers the body bytes it carried once the prelude is complete. */
  push(chunk: Uint8Array): Buffer | undefined {
    if (this.prelude) return Buffer.from(chunk);
    this.buffered = Buffer.concat([this.buffered, chunk]);
    const end = this.buffered.indexOf(Buffer.alloc(8));
    if (end < 0) {
      if (this.buffered.length > 64 * 1024) throw new Error('no prelude in the first 64 KiB of a streamed response');
      return undefined;
    }
    this.prelude = JSON.parse(this.buffered.subarray(0, end).toString('utf8')) as PreludeReader['prelude'];
    return this.buffered.subarray(end + 8);
  }
}

export interface FunctionUrl {
  url: string;
  close(): Promise<void>;
}

/**
 * A Function URL (AuthType NONE, InvokeMode RESPONSE_STREAM) in front of `fn`: each request
 * becomes one streaming invocation; the response's status and headers come from the
 * prelude, its body streams as the function writes it. A client that goes away ends the
 * invocation's stream (a watch ends with it). No WebSocket: Function URLs have none.
 */
export async function functionUrl(fn: Pick<LambdaFunction, 'invokeStreaming'>, options: { tls: { key: string; cert: string }; port?: number; host?: string; log?(line: string): void }): Promise<FunctionUrl> {
  const { tls, log } = options;
  const server = createServer(tls, (req: IncomingMessage, res: ServerResponse) => void serve(req, res));
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxRequestBytes) {
        res.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ Message: `Request must be smaller than ${maxRequestBytes} bytes for the InvokeFunction operation` }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    }
    const aborted = new AbortController();
    res.on('close', () => aborted.abort());
    const reader = new PreludeReader();
    const writeHead = () => {
      if (res.headersSent) return;
      const prelude = reader.prelude ?? {};
      const headers: Record<string, string | string[]> = { ...prelude.headers };
      if (prelude.cookies?.length) headers['set-cookie'] = prelude.cookies;
      res.writeHead(prelude.statusCode ?? 200, headers);
    };
    try {
      await fn.invokeStreaming(functionUrlEvent(req, Buffer.concat(chunks), req.headers.host ?? 'localhost'), (chunk) => {
        const body = reader.push(chunk);
        if (body === undefined) return;
        writeHead();
        if (body.length) res.write(body);
      }, aborted.signal);
      writeHead();
      res.end();
    } catch (error) {
      if (aborted.signal.aborted) return;
      log?.(`[function URL] ${(error as Error).message}`);
      // What a Function URL answers when the invocation itself failed (the function's own errors are its answers).
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ Message: 'Internal Server Error' }));
      else res.destroy();
    }
  };
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://${options.host ?? '127.0.0.1'}:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/**
 * An SQS event source mapping (BatchSize 10, ReportBatchItemFailures) feeding `fn`: the
 * records a batch answers as failed, and a whole batch whose invocation failed (the
 * instance died, timed out or threw), stay on the queue to be received again when their
 * visibility ends; the queue's redrive policy moves them to its dead-letter queue.
 */
export function sqsEventSource(fn: LambdaFunction, client: SQSClient, queueUrl: string, options: { concurrency?: number; waitTimeSeconds?: number; onError?(error: unknown): void } = {}): SqsPoller {
  return startSqsPoller({
    client, queueUrl, concurrency: options.concurrency ?? 2, waitTimeSeconds: options.waitTimeSeconds,
    handler: async (event: SqsEvent) => (await fn.invoke(event)) as SqsBatchResponse,
    onError: options.onError,
  });
}
