import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { startNodeServer, type TestServer } from '../harness/server.ts';
import { MemoryStore } from '../src/storage/memory.ts';
import type { ClusterStore, Store } from '../src/storage/store.ts';
import { runCli } from './scenarios/tenancy.ts';

/** A memory store whose bulk writes (a new cluster's content is one) take a while: provisioning a cluster takes seconds. */
function slowBulkWrites(store: Store, delayMs: number): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== 'cluster') return Reflect.get(target, prop, receiver);
      return (name: string): ClusterStore => {
        const inner = target.cluster(name);
        return new Proxy(inner, {
          get(cs, p, r) {
            const value = Reflect.get(cs, p, r) as unknown;
            if (p !== 'restore' || typeof value !== 'function') return typeof value === 'function' ? value.bind(cs) : value;
            return async (...args: unknown[]) => { await new Promise((res) => setTimeout(res, delayMs)); return (value as (...a: unknown[]) => unknown).apply(cs, args); };
          },
        });
      };
    },
  });
}

const bodyOf = (req: IncomingMessage) => new Promise<Buffer>((resolve) => { const chunks: Buffer[] = []; req.on('data', (c: Buffer) => chunks.push(c)); req.on('end', () => resolve(Buffer.concat(chunks))); });

/**
 * The CLI against a proxy that loses the answer to the first cluster create (the connection
 * closes once the request was passed on, as a dropped or timed-out connection does): the CLI
 * sends the create again, meets the 409 of the create still provisioning, and waits for it
 * rather than failing with "not found".
 */
describe('the CLI when a create\'s answer is lost', () => {
  let server: TestServer;
  let proxy: Server;
  let proxyUrl = '';
  const seen: string[] = [];
  before(async () => {
    server = await startNodeServer({ store: slowBulkWrites(new MemoryStore(), 1500) });
    let dropped = false;
    proxy = createServer(async (req, res) => {
      const body = await bodyOf(req);
      const dropThis = !dropped && req.method === 'POST' && req.url === '/clusters';
      if (dropThis) dropped = true;
      const upstream = request(new URL(req.url!, server.url), { method: req.method, headers: req.headers, rejectUnauthorized: false }, (answer) => {
        seen.push(`${req.method} ${req.url} ${answer.statusCode}${dropThis ? ' (dropped)' : ''}`);
        if (dropThis) { answer.resume(); return; }
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      upstream.end(body);
      // The first create goes on upstream, but its client hears nothing more.
      if (dropThis) setTimeout(() => req.socket.destroy(), 50);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const address = proxy.address();
    proxyUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(async () => {
    proxy.close();
    await server.close();
  });

  it('sends the create again and returns the kubeconfig once the first create has provisioned the cluster', async () => {
    const kubeconfig = await runCli({ url: proxyUrl, adminToken: server.adminToken }, ['cluster', 'create', 'alice', '--ttl', '1h']);
    assert.match(kubeconfig, /^apiVersion: v1$/m);
    assert.match(kubeconfig, /alice/);
    const posts = seen.filter((line) => line.startsWith('POST /clusters '));
    assert.ok(posts.includes('POST /clusters 409'), `the create was sent again and met the first: ${seen.join('; ')}`);
    assert.ok(seen.some((line) => /^GET \/clusters\/alice\?kubeconfig=true 404$/.test(line)), `the kubeconfig was asked for while the first create was still provisioning: ${seen.join('; ')}`);
    assert.ok(seen.some((line) => /^GET \/clusters\/alice\?kubeconfig=true 200$/.test(line)), seen.join('; '));
  });
});
