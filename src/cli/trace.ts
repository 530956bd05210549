import { renderTrace } from '../trace/render.ts';
import type { Trace } from '../trace/types.ts';
import type { ClusterClient } from './clusterClient.ts';

/** `pod/web`, `deployments.apps/web`, or `pod web`: the resource as kubectl names it, and the name. */
export function parseObjectArg(args: string[]): { resource: string; name: string } {
  const [first, second] = args;
  if (first?.includes('/')) {
    const [resource, name] = first.split('/', 2);
    if (resource && name) return { resource, name };
  } else if (first && second) return { resource: first, name: second };
  throw new Error('trace needs an object, as in: apiserverless trace pod/web -n default --cluster alice');
}

/** `apiserverless trace pod/web`: the cluster's /debug/trace answer, as text or as it is (`-o json`). */
export async function traceCommand(client: ClusterClient, args: string[], namespace: string | undefined, json: boolean): Promise<string> {
  if (args[0] === 'start' && args.length === 1) {
    const { status, json: answer } = await client.request('PUT', '/debug/trace');
    const until = (answer as { until?: string; message?: string });
    if (status >= 400) throw new Error(String(until.message ?? `the server answered ${status}`));
    return `tracing of cluster "${client.cluster}" is on until ${until.until ?? '?'}: every write's steps are recorded from now\n`;
  }
  const { resource, name } = parseObjectArg(args);
  const query = new URLSearchParams({ resource, name, ...(namespace ? { namespace } : {}) });
  const { status, json: answer } = await client.request('GET', `/debug/trace?${query}`);
  if (status >= 400) throw new Error(String((answer as { message?: unknown }).message ?? `the server answered ${status}`));
  return json ? JSON.stringify(answer, null, 2) + '\n' : renderTrace(answer as Trace);
}
