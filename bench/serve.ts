import { Hono } from 'hono';
import { selfSignedCertificate, serveHttps } from '../src/entry/node.ts';
import { startNodeServer } from '../test/helpers/server.ts';

/**
 * A server for load benchmarks, in its own process so the load generator
 * doesn't share its event loop: `api` is the Node entry (memory store), `bare`
 * a plain Hono handler doing the same JSON work with none of the API server.
 */
const mode = process.argv[2];

if (mode === 'api') {
  const server = await startNodeServer();
  console.log(`READY ${server.port} ${await server.token()}`);
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
  console.error('usage: serve.ts api|bare');
  process.exit(2);
}
process.on('SIGINT', () => process.exit(0));
