import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Log, LogLevel, Miniflare, type MiniflareOptions } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The Worker in workerd through Miniflare, with the bindings wrangler.toml declares (its
 * Durable Objects, KV namespace and Queue), over HTTPS, its state persisted in `persistTo`
 * (the layout wrangler dev uses, so state kept by either is read by the other).
 *
 * `npm start` serves through this rather than `wrangler dev`: wrangler dev's proxy worker
 * does not pass on a client's departure, so a dropped `get -w` or `logs -f` fails in the
 * cluster's Durable Object and the terminal shows "Uncaught Error: Network connection lost."
 * Served directly, the same stream is cancelled and nothing is printed.
 */
export interface MiniflareDev {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Bundles the Worker as `wrangler deploy` would (nothing is uploaded); returns the script's path. */
async function bundle(outDir: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const child = spawn(join(root, 'node_modules', '.bin', 'wrangler'), ['deploy', '--dry-run', '--outdir', outDir], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_UPDATE_NOTIFIER: '1' },
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number>((r) => child.once('exit', (c) => r(c ?? 1)));
  if (code !== 0) throw new Error(`bundling the Worker failed (${code}):\n${output}`);
  return join(outDir, 'worker.js');
}

export async function startMiniflareDev(options: { port: number; persistTo: string; vars: Record<string, string> }): Promise<MiniflareDev> {
  const scriptPath = await bundle(join(dirname(resolve(options.persistTo)), 'bundle'));
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(root, 'wrangler.toml'));
  const config = {
    ...workerOptions,
    modules: true, modulesRoot: dirname(scriptPath), scriptPath,
    bindings: { ...workerOptions.bindings, ...options.vars },
    host: '127.0.0.1', port: options.port, https: true,
    defaultPersistRoot: join(options.persistTo, 'v3'),
    log: new Log(LogLevel.WARN),
  } as MiniflareOptions;
  const mf = new Miniflare(config);
  await mf.ready;
  return { url: `https://127.0.0.1:${options.port}`, port: options.port, stop: () => mf.dispose() };
}
