import type { Context } from 'hono';
import type { Registry } from '../registry/generic.ts';
import type { ResourceDef } from '../registry/types.ts';
import type { ResourceRequest } from './requestInfo.ts';

/**
 * A subresource served by its own handler (pods/log, pods/binding, pods/eviction,
 * <workload>/scale): `status` is the only one the generic handlers serve themselves.
 * createApp is handed the table (builtinSubresources by default), so which
 * subresources exist is read in one place, not collected by import side effects.
 */
export type SubresourceHandler = (c: Context, registry: Registry, def: ResourceDef, info: ResourceRequest, namespace: string | undefined) => Promise<Response>;

export type SubresourceHandlers = Readonly<Record<string, SubresourceHandler>>;
