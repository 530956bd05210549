import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { call } from '../bench/lib.ts';
import { testTls } from '../harness/server.ts';

/**
 * A server that dies while sending an answer (SIGKILL mid-load, a crashed Worker) leaves a
 * response with headers and half a body. Clients must fail on it, not wait forever: a hung
 * client is what once cancelled the crash suite in CI.
 */
describe('clients of a server that dies mid-answer', () => {
  let server: Server;
  let url: string;
  before(async () => {
    const tls = await testTls();
    server = createServer({ key: tls.key, cert: tls.cert }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"kind":"ClusterList","items":[');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('the teacher CLI exits non-zero with a clear message', async () => {
    const cli = join(import.meta.dirname, '..', 'bin', 'apiserverless.mjs');
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [cli, 'cluster', 'list', '--server', url, '--admin-token', 'x'], { timeout: 60_000 }, (_err, _stdout, stderr) => resolve({ code: child.exitCode, stderr }));
    });
    assert.notEqual(code, 0);
    assert.equal(code === null, false, 'the CLI must end by itself, not be killed by the timeout');
    assert.match(stderr, /the connection closed before the answer was complete/);
  });

  it('the benchmarks\' client (src/client/https.ts, as the CLI and npm start\'s probe) rejects alike', async () => {
    await assert.rejects(call(`${url}/api/v1/namespaces/default/pods`), /the connection closed before the answer was complete/);
  });
});
