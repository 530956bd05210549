import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { debianPythonClient } from '../../harness/pythonClient.ts';
import type { Entry } from './core.ts';

/** What test/clients/python_client.py prints. */
interface PythonSaw {
  nodes: string[];
  missing?: { status: number; body: { kind: string; status: string; message: string; reason: string; code: number } };
  stale?: { status: number; reason: string };
  events: string[];
  dynamic: string[];
  pod: string | null;
  log?: string;
  exec?: string;
}

const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'clients', 'python_client.py');

/**
 * The official Python client (Debian's python3-kubernetes 22.6.0): CRUD and its exceptions, a
 * watch as Python asks for it (`watch=True`), the dynamic client over discovery, a Deployment's pod
 * seen Running through a watch, its log and an exec over the client's WebSocket.
 */
export function pythonClientScenario(label: string, open: () => Promise<Entry>): void {
  const client = debianPythonClient();
  const skip = 'missing' in client ? `the Python client is not to be had here: ${client.missing}` : false;
  describe(`the official Python client against the server (${label})`, { skip }, () => {
    it('does what a Python script does: CRUD with its errors, watch=True, the dynamic client, a pod, its log, exec', async () => {
      if ('missing' in client) return;
      const entry = await open();
      try {
        const kubeconfig = join(mkdtempSync(join(tmpdir(), 'python-client-')), 'kubeconfig');
        writeFileSync(kubeconfig, await entry.kubeconfig());
        const out = await new Promise<string>((resolve, reject) => {
          execFile(client.python, [script], { env: { PATH: process.env.PATH, KUBECONFIG: kubeconfig, PYTHONPATH: client.pythonPath, HOME: dirname(kubeconfig) }, timeout: 180_000 }, (err, stdout, stderr) =>
            err ? reject(new Error(`python_client.py failed: ${stderr || err.message}`)) : resolve(stdout));
        });
        const saw = JSON.parse(out) as PythonSaw;
        assert.deepEqual(saw.nodes, ['controlplane', 'node01']);
        assert.equal(saw.missing?.status, 404);
        assert.deepEqual(saw.missing?.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'configmaps "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'configmaps' }, code: 404 });
        assert.deepEqual(saw.stale, { status: 409, reason: 'Conflict' });
        assert.deepEqual(saw.events, ['ADDED v', 'MODIFIED v', 'MODIFIED extra,v', 'DELETED extra,v']);
        assert.ok(saw.dynamic.includes('coredns') && saw.dynamic.includes('kube-root-ca.crt'), saw.dynamic.join(' '));
        assert.match(saw.pod ?? '', /^pyweb-[a-z0-9]+-[a-z0-9]{5}$/);
        assert.match(saw.log ?? '', /Configuration complete; ready for start up/);
        assert.equal(saw.exec?.trim(), `hi from ${saw.pod}`);
      } finally {
        await entry.close();
      }
    });
  });
}
