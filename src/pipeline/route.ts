import { createMiddleware } from 'hono/factory';
import type { Ports } from '../ports.ts';
import type { Catalog } from '../registry/catalog.ts';
import type { ClusterCatalogs } from '../registry/clusterCatalogs.ts';
import { Registry } from '../registry/generic.ts';
import { ApiError, notAcceptable } from '../apimachinery/errors.ts';
import { apiVersionOf, type ResourceDef } from '../registry/types.ts';
import { kindMessage } from '../schema/protobufSchema.ts';
import { openApiResponse } from '../server/openapi.ts';
import type { PipelineEnv } from './context.ts';
import { serveDiscovery } from './discovery.ts';
import { readOnly } from './readOnly.ts';
import { serveTrace, tracePath } from './serveTrace.ts';
import { versionInfo } from './version.ts';
import { negotiateOutput, writeJson } from '../server/wire.ts';

/** Built-in kinds have a protobuf form; custom resources are JSON only, as in kube-apiserver. */
const servesProtobuf = (def: ResourceDef) => !!kindMessage(apiVersionOf(def), def.kind);

const noSuchPath = () => new ApiError(404, 'NotFound', 'the server could not find the requested resource');

/**
 * Step 7, the route: the cluster's version, OpenAPI and discovery documents are answered
 * here; a resource request goes on with its declaration and a registry acting for the
 * caller. Anything else is a 404.
 */
export const route = (base: Catalog, catalogs: ClusterCatalogs, ports: Ports) => createMiddleware<PipelineEnv>(async (c, next) => {
  const target = c.get('target');
  const rest = c.get('rest');
  const cluster = c.get('cluster');
  // The cluster's own catalog: its CRDs' kinds are served beside the built-in ones.
  const catalog = target.kind === 'version' || target.kind === 'malformed' ? base
    : await catalogs.catalog(cluster, c.get('record').uid, () => new Registry(base, ports, cluster));
  switch (target.kind) {
    case 'version':
      readOnly(c.req.method);
      return writeJson(c, versionInfo(c.get('record').kubernetesVersion), 200, { pretty: true });
    case 'openapi': {
      readOnly(c.req.method);
      // The prefix (`/clusters/<name>`) goes into the index's URLs.
      const path = c.get('url').pathname;
      return openApiResponse(c.req.raw, catalog, rest, path.slice(0, path.length - rest.length));
    }
    case 'malformed':
      throw target.error;
    case 'discovery':
      readOnly(c.req.method);
      return serveDiscovery(c, catalog, target.path);
    case 'resource': {
      const def = catalog.find(target.group, target.version, target.resource);
      if (!def) throw noSuchPath();
      c.set('resourceRequest', target);
      c.set('def', def);
      const output = negotiateOutput(c.req.header('accept'), servesProtobuf(def));
      if (!output) throw notAcceptable(`only the following media types are accepted: application/json, application/yaml`);
      c.set('output', output);
      c.set('documents', ports.documents);
      const trace = c.get('trace');
      if (trace) trace.object = { group: target.group, resource: target.resource, namespace: def.namespaced ? target.namespace ?? '' : '', name: target.name ?? '' };
      c.set('registry', new Registry(catalog, { ...ports, charge: c.get('charge'), trace }, cluster, c.get('user'), c.get('access')));
      await next();
      return;
    }
    case 'other':
      if (target.path === tracePath) return serveTrace(c, catalog, ports);
      throw noSuchPath();
    default:
      throw noSuchPath();
  }
});
