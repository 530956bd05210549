import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ensureTable } from '../src/storage/dynamodb.ts';
import { startDynamoDBLocal } from '../harness/dynamodbLocal.ts';
import { bundleLambda } from '../harness/lambdaLocal.ts';
import { fmt, line, median } from './lib.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const kib = (bytes: number) => `${fmt(bytes / 1024)} KiB`;
const gzipped = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;

/**
 * A Lambda cold start's own part: a fresh Node process imports the bundle (its module
 * body builds the runtime: store client, default cluster read, app) until `handler` is
 * exported. Milliseconds since the process started, median of `runs`.
 */
function handlerInitMs(bundle: string, env: Record<string, string>, runs = 7): number {
  // The Lambda runtime's global that hono/aws-lambda's streamHandle wraps the handler with.
  const runtimeGlobal = 'globalThis.awslambda = { streamifyResponse: (f) => f, HttpResponseStream: { from: (s) => s } };';
  const probe = `${runtimeGlobal} const m = await import(${JSON.stringify(bundle)}); if (typeof m.handler !== 'function') throw new Error('no handler'); console.log(performance.now());`;
  const times = Array.from({ length: runs }, () => Number(execFileSync(process.execPath, ['--input-type=module', '--no-warnings', '-e', probe], { env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n').pop()));
  return median(times);
}

/** Miniflare start to the first answer from the Worker: workerd's start plus the script's compile and first run. */
async function workerFirstAnswerMs(scriptPath: string, runs = 3): Promise<number> {
  const { Miniflare } = await import('miniflare');
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const mf = new Miniflare({ modules: true, scriptPath, modulesRoot: dirname(scriptPath), compatibilityDate: '2025-09-01', bindings: { JWT_SECRET: 'x'.repeat(32) }, cf: false,
      durableObjects: { CLUSTERS: { className: 'ClusterObject', useSQLite: true } }, kvNamespaces: ['REGISTRY'], queueProducers: { EVENTS: { queueName: 'apiserverless-events' } } });
    const res = await mf.dispatchFetch('http://localhost/healthz');
    await res.text();
    times.push(performance.now() - started);
    await mf.dispose();
  }
  return median(times);
}

/** Issue 3 and 17: the deployables' size and cold start (a product feature), each beside a bare Hono one built the same way. */
export async function run(): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'bundle-'));
  execFileSync(bin('wrangler'), ['deploy', '--dry-run', '--minify', '--outdir', out], {
    cwd: root, stdio: 'pipe', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  const files = readdirSync(out).filter((f) => f.endsWith('.js'));
  let raw = 0, gz = 0;
  for (const f of files) {
    raw += statSync(join(out, f)).size;
    gz += gzipped(join(out, f));
  }
  // Baseline in the same run: hono alone, the floor any Hono Worker pays.
  const hono = gzipSync(readFileSync(join(root, 'node_modules', 'hono', 'dist', 'hono-base.js'))).length;
  line('Worker bundle (wrangler deploy --dry-run --minify), raw', kib(raw));
  line('Worker bundle, gzipped', `${kib(gz)} (target ≤512 KiB, ${fmt((100 * gz) / (512 * 1024), 0)}% of it)`);
  line('baseline: hono-base.js gzipped', kib(hono));

  // A bare Hono app, bundled and started the same ways: what any Hono Worker or Lambda pays.
  const bare = join(out, 'bare');
  mkdirSync(bare);
  writeFileSync(join(bare, 'worker.ts'), `import { Hono } from ${JSON.stringify(join(root, 'node_modules', 'hono', 'dist', 'index.js'))};\nexport default new Hono().get('/healthz', (c) => c.text('ok'));\nexport class ClusterObject { fetch() { return new Response('ok'); } }\n`);
  writeFileSync(join(bare, 'lambda.ts'), `import { Hono } from 'hono';\nimport { streamHandle } from 'hono/aws-lambda';\nexport const handler = streamHandle(new Hono().get('/version', (c) => c.json({})));\n`);
  execFileSync(bin('esbuild'), [join(bare, 'worker.ts'), '--bundle', '--minify', '--format=esm', '--platform=neutral', `--outfile=${join(bare, 'worker.js')}`], { cwd: root, stdio: 'pipe' });
  const worker = await workerFirstAnswerMs(join(out, 'worker.js'));
  const bareWorker = await workerFirstAnswerMs(join(bare, 'worker.js'));
  line('Worker: Miniflare start → first answer (median of 3)', `${fmt(worker)} ms, ${fmt(worker / bareWorker, 2)}× a bare Hono Worker's ${fmt(bareWorker)} ms`);

  const lambda = join(out, 'lambda', 'index.mjs');
  bundleLambda(lambda);
  const bareLambda = join(bare, 'lambda.mjs');
  bundleLambda(bareLambda, join(bare, 'lambda.ts'));
  line('Lambda bundle (npm run bundle:lambda), raw / gzipped', `${kib(statSync(lambda).size)} / ${kib(gzipped(lambda))} (bare Hono: ${kib(statSync(bareLambda).size)} / ${kib(gzipped(bareLambda))})`);
  const dynamodb = await startDynamoDBLocal();
  try {
    await ensureTable(dynamodb.client(), 'coldstart');
    const env = { STORE: 'dynamodb', DYNAMODB_TABLE: 'coldstart', DYNAMODB_ENDPOINT: dynamodb.endpoint, JWT_SECRET: 'y'.repeat(32), ADMIN_TOKEN: 'z'.repeat(32) };
    handlerInitMs(lambda, env, 1); // the first start provisions the default cluster; later ones read it
    const ours = handlerInitMs(lambda, env);
    const baseline = handlerInitMs(bareLambda, {});
    line('Lambda: process start → handler ready (median of 7, DynamoDB Local)', `${fmt(ours)} ms, ${fmt(ours / baseline, 2)}× a bare Hono handler's ${fmt(baseline)} ms`);
  } finally {
    await dynamodb.stop();
  }
}
