import type { ClusterApi } from './client.ts';
import { describeRef, objectPath } from './paths.ts';
import type { Write } from './types.ts';

/** The field manager a scenario's writes are recorded under (managedFields, `cluster history`). */
export const scenarioManager = 'apiserverless-scenario';

const failure = (what: string, answer: { status: number; json: unknown }) =>
  new Error(`${what}: ${String((answer.json as { message?: unknown }).message ?? `the server answered ${answer.status}`)}`);

/** Makes one write through the cluster's API, as its admin; each is idempotent (applying a scenario twice is fine). */
export async function applyWrite(api: ClusterApi, write: Write): Promise<string> {
  if ('apply' in write) {
    const m = write.apply;
    const ref = { apiVersion: m.apiVersion, kind: m.kind, name: m.metadata.name, ...(m.metadata.namespace ? { namespace: m.metadata.namespace } : {}) };
    const answer = await api.request('PATCH', `${objectPath(ref)}?fieldManager=${scenarioManager}&force=true`, m, 'application/apply-patch+yaml');
    if (answer.status >= 400) throw failure(`applying ${describeRef(ref)}`, answer);
    return `${describeRef(ref)} applied`;
  }
  if ('patch' in write) {
    const answer = await api.request('PATCH', `${objectPath(write.patch)}?fieldManager=${scenarioManager}`, write.merge, 'application/merge-patch+json');
    if (answer.status >= 400) throw failure(`patching ${describeRef(write.patch)}`, answer);
    return `${describeRef(write.patch)} patched`;
  }
  if ('onNode' in write) return runOnNode(api, write.onNode, write.script);
  const answer = await api.request('DELETE', objectPath(write.delete));
  if (answer.status >= 400 && answer.status !== 404) throw failure(`deleting ${describeRef(write.delete)}`, answer);
  return `${describeRef(write.delete)} deleted`;
}

/** How long a node script may take (cluster time passes at the control plane's pace). */
const nodeScriptTimeoutMs = 120_000;

/** A node script's pod: the teacher's ssh session, through the API, gone once it has run. */
async function runOnNode(api: ClusterApi, node: string, script: string): Promise<string> {
  const name = `apiserverless-scenario-${node}`;
  const path = `/api/v1/namespaces/kube-system/pods/${name}`;
  await api.request('DELETE', `${path}?gracePeriodSeconds=0`);
  for (let waited = 0; (await api.get(path)) !== undefined; waited += 100) {
    if (waited > nodeScriptTimeoutMs) throw new Error(`a previous script pod ${name} is still there`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'kube-system', labels: { 'app.kubernetes.io/managed-by': scenarioManager } },
    spec: {
      nodeName: node, restartPolicy: 'Never', hostNetwork: true, hostPID: true, hostIPC: true, tolerations: [{ operator: 'Exists' }],
      volumes: [{ name: 'host-root', hostPath: { path: '/' } }],
      containers: [{ name: 'script', image: 'busybox:1.37', command: ['chroot', '/host', 'sh', '-c', script], volumeMounts: [{ name: 'host-root', mountPath: '/host' }] }],
    },
  };
  const created = await api.request('POST', `/api/v1/namespaces/kube-system/pods?fieldManager=${scenarioManager}`, pod);
  if (created.status >= 400) throw failure(`running a script on node ${node}`, created);
  const started = Date.now();
  for (;;) {
    const now = await api.get<{ status?: { phase?: string } }>(path);
    const phase = now?.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      await api.request('DELETE', `${path}?gracePeriodSeconds=0`);
      if (phase === 'Failed') throw new Error(`the script on node ${node} failed`);
      return `script run on node ${node}`;
    }
    if (Date.now() - started > nodeScriptTimeoutMs) throw new Error(`the script on node ${node} did not finish: is its kubelet running?`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
