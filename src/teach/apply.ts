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
  const answer = await api.request('DELETE', objectPath(write.delete));
  if (answer.status >= 400 && answer.status !== 404) throw failure(`deleting ${describeRef(write.delete)}`, answer);
  return `${describeRef(write.delete)} deleted`;
}
