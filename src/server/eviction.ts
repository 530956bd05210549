import type { Context } from 'hono';
import type { Registry } from '../registry/generic.ts';
import type { ResourceDef } from '../registry/types.ts';
import { decodeDocument, readBody } from './codec.ts';
import { badRequest, methodNotAllowed } from './errors.ts';
import { subresourceHandlers } from './handlers.ts';
import type { ResourceRequest } from './requestInfo.ts';

/**
 * pods/eviction (policy/v1 Eviction), what `kubectl drain` posts for each pod.
 * With no PodDisruptionBudgets to honour, an eviction is a graceful delete:
 * the pod's kubelet stops it and removes it.
 */

interface Eviction {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  deleteOptions?: { gracePeriodSeconds?: number | null; preconditions?: { uid?: string; resourceVersion?: string } | null; dryRun?: string[] | null } | null;
}

async function handleEviction(c: Context, registry: Registry, def: ResourceDef, info: ResourceRequest, namespace: string | undefined): Promise<Response> {
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
  if (eviction.metadata?.name && eviction.metadata.name !== info.name) throw badRequest('name in URL does not match name in Eviction object');
  if (eviction.metadata?.namespace && eviction.metadata.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  const options = eviction.deleteOptions ?? {};
  const grace = options.gracePeriodSeconds;
  if (grace !== undefined && grace !== null && !Number.isInteger(grace)) throw badRequest('DeleteOptions.gracePeriodSeconds must be an integer');
  await registry.delete(def, namespace, info.name!, {
    gracePeriodSeconds: typeof grace === 'number' ? Math.max(0, grace) : undefined,
    preconditions: options.preconditions ?? undefined,
    dryRun: (options.dryRun?.length ?? 0) > 0 || (c.req.queries('dryRun')?.length ?? 0) > 0,
  });
  return c.json({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }, 201);
}

subresourceHandlers.eviction = handleEviction;
