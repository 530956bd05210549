import type { Context } from 'hono';
import { badRequest, notFound } from '../apimachinery/errors.ts';
import type { Ports } from '../ports.ts';
import type { Catalog } from '../registry/catalog.ts';
import { Registry } from '../registry/generic.ts';
import { readTrace, resolveResource } from '../tenancy/trace.ts';
import { writeJson } from '../server/wire.ts';
import type { PipelineEnv } from './context.ts';
import { readOnly } from './readOnly.ts';

/** The non-resource path of a trace, under the cluster's URL; RBAC allows it as `nonResourceURLs: ["/debug/trace"]`. */
export const tracePath = '/debug/trace';

/**
 * `GET /debug/trace?resource=pods&namespace=default&name=web`: an object's trace (tenancy/trace.ts)
 * as JSON. `resource` is as kubectl names it (`pod`, `po`, `deployments.apps`); the namespace
 * defaults to `default`. The CLI's `apiserverless trace pod/web` reads it; so can
 * `kubectl get --raw '/debug/trace?resource=pod&name=web'`. Reading a trace turns the cluster's
 * tracing on for an hour (in this process); `PUT /debug/trace` turns it on without reading one.
 */
export async function serveTrace(c: Context<PipelineEnv>, catalog: Catalog, ports: Ports): Promise<Response> {
  const cluster = c.get('cluster');
  if (c.req.method === 'PUT') {
    const until = ports.traces?.start(cluster);
    return writeJson(c, { apiVersion: 'apiserverless.dev/v1', kind: 'TraceStatus', cluster, recording: until !== undefined, ...(until ? { until: new Date(until).toISOString() } : {}) }, 200);
  }
  readOnly(c.req.method);
  const query = c.get('url').searchParams;
  const resource = query.get('resource') ?? '', name = query.get('name') ?? '';
  if (!resource || !name) throw badRequest('a trace needs ?resource=<kind, as kubectl names it>&name=<name> (and &namespace=<namespace>)');
  const def = resolveResource(catalog, resource);
  if (!def) throw notFound({ group: '', resource: 'resources' }, resource);
  const store = new Registry(catalog, ports, cluster).store;
  const recording = ports.traces?.recording(cluster) ?? false;
  const trace = await readTrace(store, ports.traces, c.get('record').createdAt, { def, namespace: query.get('namespace') || 'default', name }, recording);
  ports.traces?.start(cluster);
  return writeJson(c, trace, 200, { pretty: true });
}
