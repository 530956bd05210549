import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openExec } from '../../harness/execSocket.ts';
import { apiClient, clusterRevision, type ApiClient } from '../helpers/api.ts';
import { eventually } from '../helpers/eventually.ts';
import type { ExecEntry } from './exec.ts';

/**
 * Issue 15: a shell left open costs no storage writes while idle (npm run bench -- exec measures
 * it with CPU; this keeps the promise in npm test). The session is opened over the same WebSocket
 * protocol kubectl 1.35 speaks, from this process: no kubectl process is needed to hold it.
 * Storage writes are counted as the cluster's revision, which every write moves by one.
 */
export function idleSessionScenario(label: string, open: () => Promise<ExecEntry>) {
describe(`an idle exec session (${label})`, () => {
  let entry: ExecEntry;
  let api: ApiClient;
  before(async () => {
    entry = await open();
    api = await apiClient(entry);
    await api.post('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'shell' }, spec: { containers: [{ name: 'shell', image: 'busybox', command: ['sleep', '3600'] }] } });
    type Pod = { status?: { conditions?: Array<{ type: string; status: string }> } };
    await eventually(() => api.get<Pod>('/api/v1/namespaces/default/pods/shell'), (p) => !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'), 'the pod Ready', 120_000);
    // The cluster settles (the pod's last events, a fresh cluster's own control plane): the same revision twice, a second apart.
    let last = -1;
    await eventually(async () => { const before_ = last; last = await clusterRevision(api); await new Promise((r) => setTimeout(r, 1000)); return before_ === last && (await clusterRevision(api)) === last; }, (settled) => settled, 'the cluster settled', 60_000);
  });
  after(() => entry.close());

  it('an open `exec -it … sh` writes nothing while it waits, and still answers after', async () => {
    const session = await openExec({ server: api.server, token: api.token, pod: 'shell', command: ['sh'], tty: true });
    try {
      let at = await session.waitFor('/ # ');
      session.send('echo ready\r');
      at = await session.waitFor('ready\r\n/ # ', at);
      const opened = await clusterRevision(api);
      // Idle, as a student leaves a shell open: the bound is the test's, nothing is timed.
      await new Promise((r) => setTimeout(r, 3000));
      const idle = await clusterRevision(api);
      session.send('echo still-here\r');
      await session.waitFor('still-here\r\n/ # ', at);
      assert.equal(idle - opened, 0, 'store writes while the session sat idle');
      assert.equal(await clusterRevision(api), opened, 'store writes by a command in the session');
    } finally {
      session.close();
    }
  });
});
}
