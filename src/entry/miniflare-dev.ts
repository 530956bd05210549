import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { MiniflareOptions } from 'miniflare';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The Worker in workerd through Miniflare, with the bindings wrangler.toml declares (its
 * Durable Objects, KV namespace and Queue), over HTTPS, its state persisted in `persistTo`
 * (the layout wrangler dev uses, so state kept by either is read by the other).
 *
 * `npm start` and the tests serve through this rather than `wrangler dev`: wrangler dev's
 * proxy worker does not pass on a client's departure (a dropped `get -w` or `logs -f` fails
 * in the cluster's Durable Object and the terminal shows "Uncaught Error: Network connection
 * lost."), its pooled connections to the Worker now and then answer a write with 503 "Your
 * worker restarted mid-request" or reset the client's connection (cloudflare/workers-sdk
 * #14641, #15317), and its supervisor and file watcher spend CPU. Served directly, none of that.
 */
export interface MiniflareDev {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Bundles the Worker as `wrangler deploy` would (nothing is uploaded); returns the script's path. */
export async function bundleWorker(outDir: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const child = spawn(join(root, 'node_modules', '.bin', 'wrangler'), ['deploy', '--dry-run', '--outdir', outDir], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_UPDATE_NOTIFIER: '1', WRANGLER_LOG_PATH: join(outDir, 'logs') },
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number>((r) => child.once('exit', (c) => r(c ?? 1)));
  if (code !== 0) throw new Error(`bundling the Worker failed (${code}):\n${output}`);
  return join(outDir, 'worker.js');
}

/** Each line workerd prints (the Worker's console, uncaught errors), to `log`. */
function linesTo(log: (line: string) => void) {
  return (stdout: Readable, stderr: Readable) => {
    for (const input of [stdout, stderr]) createInterface({ input, crlfDelay: Infinity }).on('line', (line) => { if (line.trim()) log(line); });
  };
}

export async function startMiniflareDev(options: {
  /** 0 takes a free port (the answer says which). */
  port: number; persistTo: string; vars: Record<string, string>;
  /** A bundle made already by bundleWorker (tests make one per run); otherwise one is made beside persistTo. */
  scriptPath?: string;
  /** workerd's output line by line; by default it goes to this process's stdout and stderr. */
  log?: (line: string) => void;
}): Promise<MiniflareDev> {
  const scriptPath = options.scriptPath ?? (await bundleWorker(join(dirname(resolve(options.persistTo)), 'bundle')));
  // Loaded here, not at the top: they are large, and most importers (every test file, through the
  // test harness) only ever talk to a Worker that another process started.
  const [{ Log, LogLevel, Miniflare }, { unstable_getMiniflareWorkerOptions }] = await Promise.all([import('miniflare'), import('wrangler')]);
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(root, 'wrangler.toml'));
  const config = {
    ...workerOptions,
    modules: true, modulesRoot: dirname(scriptPath), scriptPath,
    bindings: { ...workerOptions.bindings, ...options.vars },
    host: '127.0.0.1', port: options.port, https: true,
    cf: false, // the placeholder Request.cf, not one fetched from workers.cloudflare.com
    defaultPersistRoot: join(options.persistTo, 'v3'),
    log: new Log(LogLevel.WARN),
    ...(options.log ? { handleRuntimeStdio: linesTo(options.log) } : {}),
  } as MiniflareOptions;
  const mf = new Miniflare(config);
  const port = Number((await mf.ready).port);
  return {
    url: `https://127.0.0.1:${port}`, port,
    stop: () => mf.dispose(),
  };
}
