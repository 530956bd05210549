import type { Context } from 'hono';
import { badRequest, methodNotAllowed } from '../apimachinery/errors.ts';
import type { Registry } from '../registry/generic.ts';
import { bindingSucceeded, bindPod } from '../registry/resources/podBinding.ts';
import type { ResourceDef } from '../registry/types.ts';
import * as schema from '../schema/core.ts';
import { decodeDocument, decodeObject, parseFieldValidation, readBody } from './codec.ts';
import { dryRun } from './dryRun.ts';
import type { ResourceRequest } from './requestInfo.ts';
import { writeObject } from './wire.ts';

/** POST pods/<name>/binding: a Binding body, answered with a Success Status as kube-apiserver does. */
export async function handleBinding(c: Context, registry: Registry, def: ResourceDef, info: ResourceRequest, namespace: string | undefined): Promise<Response> {
  if (info.verb !== 'create') throw methodNotAllowed();
  const bytes = await readBody(c.req.raw);
  if (!bytes.byteLength) throw badRequest('the request body is empty; an object was expected');
  const document = decodeDocument(bytes, c.req.header('content-type') ?? null, 'Binding');
  const { obj } = decodeObject(def, document, parseFieldValidation(c.req.query('fieldValidation')), 'Binding', schema.binding);
  await bindPod(registry, def, namespace!, info.name!, obj, dryRun(c));
  return writeObject(c, bindingSucceeded(), 201);
}
