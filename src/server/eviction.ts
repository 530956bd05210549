import type { Context } from 'hono';
import type { Registry } from '../registry/generic.ts';
import type { ResourceDef } from '../registry/types.ts';
import { decodeDocument, readBody } from './codec.ts';
import { decodeDeleteOptions } from './deleteOptions.ts';
import { badRequest, methodNotAllowed } from '../apimachinery/errors.ts';
import type { ResourceRequest } from './requestInfo.ts';
import type { Pod } from '../registry/resources/pods.ts';
import { admitEviction } from './disruptionBudget.ts';
import { writeObject } from './wire.ts';

/**
 * pods/eviction (policy/v1 Eviction), what `kubectl drain` posts for each pod:
 * a graceful delete (the pod's kubelet stops it and removes it) once the pod's
 * PodDisruptionBudget allows it (disruptionBudget.ts).
 */

interface Eviction {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  /** Checked by decodeDeleteOptions. */
  deleteOptions?: unknown;
}

export async function handleEviction(c: Context, registry: Registry, def: ResourceDef, info: ResourceRequest, namespace: string | undefined): Promise<Response> {
  if (info.verb !== 'create') throw methodNotAllowed();
  const bytes = await readBody(c.req.raw);
  if (!bytes.byteLength) throw badRequest('the request body is empty; an Eviction was expected');
  const body = decodeDocument(bytes, c.req.header('content-type') ?? null);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the request body must be an Eviction object');
  const eviction = body as Eviction;
  if (eviction.kind !== undefined && eviction.kind !== 'Eviction') {
    throw badRequest(`${eviction.kind} in version "${eviction.apiVersion ?? ''}" cannot be handled as a Eviction: no kind "${eviction.kind}" is registered for version "${eviction.apiVersion ?? ''}"`);
  }
  if (eviction.apiVersion !== undefined && !['policy/v1', 'policy/v1beta1'].includes(eviction.apiVersion)) {
    throw badRequest(`the API version in the data (${eviction.apiVersion}) does not match the expected API version (policy/v1)`);
  }
  // A metadata or deleteOptions of the wrong type is refused, never skipped: skipping would evict for real.
  const meta = eviction.metadata as unknown;
  if (meta != null && (typeof meta !== 'object' || Array.isArray(meta))) throw badRequest(`json: cannot unmarshal ${Array.isArray(meta) ? 'array' : typeof meta} into Go struct field Eviction.metadata of type v1.ObjectMeta`);
  if (eviction.metadata?.name && eviction.metadata.name !== info.name) throw badRequest('name in URL does not match name in Eviction object');
  if (eviction.metadata?.namespace && eviction.metadata.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  const options = decodeDeleteOptions(eviction.deleteOptions, 'Eviction.deleteOptions');
  const dryRun = options.dryRun || (c.req.queries('dryRun')?.length ?? 0) > 0;
  const pod = await registry.get(def, namespace, info.name!) as Pod;
  const { resourceVersion } = await admitEviction(registry, pod, dryRun);
  const preconditions = resourceVersion ? { ...options.preconditions, resourceVersion } : options.preconditions;
  await registry.delete(def, namespace, info.name!, { ...options, dryRun, ...(preconditions ? { preconditions } : {}) });
  return writeObject(c, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }, 201);
}
