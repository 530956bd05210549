import { Hono } from 'hono';
import { selfSignedCertificate, serveHttps } from '../src/entry/node.ts';
import { startNodeServer } from '../harness/server.ts';

/**
 * A server for load benchmarks, in its own process so the load generator
 * doesn't share its event loop: `api` is the Node entry (memory store), `bare`
 * a plain Hono handler doing the same JSON work with none of the API server,
 * and prints a token of its admin and of `jane` (no groups), `tenants` the Node entry as `npm start`
 * runs it (its control plane live) under the real default limits (rate, streams, storage budget),
 * answering with its admin token so a bench can create clusters, `tenants-sharded` the
 * sharded Node entry (src/entry/shards.ts) likewise, `node-entry` the Node entry
 * itself (node-runtime.ts: live control plane, timers) with its default cluster's admin token. Run with
 * --expose-gc, `tenants` collects garbage on SIGUSR2 and prints `GC <heapUsed> <external>` (bytes).
 */
const mode = process.argv[2];
const benchSecret = 'bench-secret-that-is-long-enough-for-hs256';
const benchAdminToken = 'bench-admin-token-0123456789abcdef';

/** The Node entry as `npm start` runs it (node-runtime.ts: the control plane live on the API's loop), served over TLS. */
async function nodeEntry(env: Record<string, string | undefined>) {
  const { nodeRuntime } = await import('../src/entry/node-runtime.ts');
  const { DocumentThread } = await import('../src/entry/documentThread.ts');
  const documents = new DocumentThread();
  const runtime = await nodeRuntime(env, { jwtSecret: benchSecret, adminToken: benchAdminToken, documents });
  return { runtime, documents, server: await serveHttps(runtime.app.fetch, { port: 0, tls: await selfSignedCertificate() }) };
}

if (mode === 'api') {
  const server = await startNodeServer();
  // A second identity, outside system:masters, for what authorization costs (bench/authz.bench.ts).
  console.log(`READY ${server.port} ${await server.token()} ${await server.token('default', { sub: 'jane', groups: [] })}`);
} else if (mode === 'tenants' || mode === 'tenants-unthrottled') {
  // Under the real default limits; `tenants-unthrottled` without the request rate.
  const unthrottled = { RATE_LIMIT_RPS: '1000000000', RATE_LIMIT_BURST: '1000000000' };
  const { server, documents } = await nodeEntry({ ...process.env, ...(mode === 'tenants' ? {} : unthrottled) });
  const gc = (globalThis as { gc?: () => void }).gc;
  // Every heap of the process: the loop's, and the thread's that large bodies are parsed on.
  // Collected twice, a moment apart: V8 frees the memory of the buffers a collection found dead on a
  // thread of its own after it (the array buffer sweeper), so `external` read at once still counted
  // some of them (8 to 23 MiB after the same 1,000 writes).
  process.on('SIGUSR2', () => void documents.collectGarbage().then(async () => {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 200));
    gc?.();
    const { heapUsed, external } = process.memoryUsage();
    console.log(`GC ${heapUsed} ${external}`);
  }));
  process.on('SIGINT', () => process.exit(0));
  console.log(`READY ${server.port} ${benchAdminToken}`);
} else if (mode === 'tenants-sharded') {
  // The sharded Node entry (SHARDS, default 2: a front and that many shard processes) under the real default limits.
  const { serveSharded } = await import('../src/entry/shards.ts');
  const server = await serveSharded({ shards: Number(process.env.SHARDS) || 2, port: 0, tls: await selfSignedCertificate(), jwtSecret: benchSecret, adminToken: benchAdminToken });
  process.on('SIGINT', () => void server.close().then(() => process.exit(0)));
  console.log(`READY ${server.port} ${benchAdminToken}`);
} else if (mode === 'node-entry') {
  // The Node entry as `npm run start:node` runs it (its sweep and resync timers on), with its default cluster's admin token.
  const { adminToken } = await import('../src/tenancy/admin.ts');
  const { systemClock } = await import('../src/ports.ts');
  const { runtime: { keys, defaultCluster }, server } = await nodeEntry(process.env);
  console.log(`READY ${server.port} ${await adminToken(keys, defaultCluster, systemClock)}`);
} else if (mode === 'bare') {
  const objects = new Map<string, string>();
  const app = new Hono();
  app.get('/pods/:name', (c) => {
    const stored = objects.get(c.req.param('name'));
    return stored ? c.json(JSON.parse(stored)) : c.json({ kind: 'Status', code: 404 }, 404);
  });
  app.get('/pods', (c) => {
    const items = [...objects.values()].slice(0, 100).map((s) => JSON.parse(s));
    return c.json({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items });
  });
  let n = 0;
  app.post('/pods', async (c) => {
    const pod = (await c.req.json()) as { metadata: Record<string, unknown> };
    const name = (pod.metadata.name as string | undefined) ?? `${pod.metadata.generateName as string}${(n++).toString(36)}`;
    pod.metadata = { ...pod.metadata, name, uid: crypto.randomUUID(), creationTimestamp: new Date().toISOString(), resourceVersion: String(n) };
    objects.set(name, JSON.stringify(pod));
    return c.json(pod, 201);
  });
  const server = await serveHttps(app.fetch, { port: 0, tls: await selfSignedCertificate() });
  console.log(`READY ${server.port} none`);
} else {
  console.error('usage: serve.ts api|bare|node-entry|tenants|tenants-unthrottled|tenants-sharded');
  process.exit(2);
}
if (mode !== 'tenants-sharded') process.on('SIGINT', () => process.exit(0));
