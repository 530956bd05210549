import jsonpatch, { type Operation } from 'fast-json-patch';
import type * as v from 'valibot';
import type { KubeObject } from '../registry/types.ts';
import { decodeDocument, mediaType } from './codec.ts';
import { ApiError, badRequest, unsupportedMediaType } from '../apimachinery/errors.ts';
import { strategicMergeInTurns, strategicMergeInto } from './strategicMerge.ts';

/** RFC 7386 JSON merge patch: objects merge, null deletes, everything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** A PATCH body decoded, with its type: what `applyDecodedPatch` applies. */
export interface DecodedPatch { type: string; patch: unknown }

/**
 * Decodes a PATCH body of any supported type (a 415 for others, a 400 for what does not parse).
 * The result is consumed by `applyDecodedPatch`: decode again for another attempt.
 */
export function decodePatch(body: Uint8Array, contentType: string): DecodedPatch {
  const type = mediaType(contentType);
  if (type === 'application/json-patch+json') {
    const ops = decodeDocument(body, 'application/json');
    if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
    return { type, patch: ops };
  }
  if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json' || type === 'application/apply-patch+yaml') {
    const patch = decodeDocument(body, type === 'application/apply-patch+yaml' ? type : 'application/json');
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest(`json: cannot unmarshal ${Array.isArray(patch) ? 'array' : patch === null ? 'null' : typeof patch} into Go value of type map[string]interface {}`);
    return { type, patch };
  }
  throw unsupportedMediaType(contentType);
}

/**
 * Applies a decoded PATCH body to the current object, whose type `schema` declares.
 * `current` is consumed: callers pass a private copy (the registry's mutate does).
 */
export function applyDecodedPatch(current: KubeObject, { type, patch }: DecodedPatch, schema: v.GenericSchema): KubeObject {
  if (type === 'application/json-patch+json') {
    try {
      return jsonpatch.applyPatch(current, patch as Operation[], true, false).newDocument as KubeObject;
    } catch (err) {
      const message = (err as Error).message.split('\n')[0];
      throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${message}`);
    }
  }
  if (type === 'application/merge-patch+json') return mergePatch(current, patch) as KubeObject;
  // Server-side apply of an object is src/server/apply.ts (with field ownership); what
  // reaches here is an apply to the scale subresource, approximated by a strategic merge.
  return strategicMergeInto(current, patch, schema) as KubeObject;
}

/**
 * The same, a strategic merge in slices with `pause` between them (strategicMerge.ts): for
 * the request path, where a large object's merge would otherwise hold the loop in one stretch.
 */
export function applyDecodedPatchInTurns(current: KubeObject, decoded: DecodedPatch, schema: v.GenericSchema, pause: () => Promise<void> | undefined): Promise<KubeObject> {
  if (decoded.type === 'application/json-patch+json' || decoded.type === 'application/merge-patch+json') return Promise.resolve(applyDecodedPatch(current, decoded, schema));
  return strategicMergeInTurns(current, decoded.patch, schema, pause) as Promise<KubeObject>;
}

/** Both at once, for a caller with nothing to do between them. */
export function applyPatch(current: KubeObject, body: Uint8Array, contentType: string, schema: v.GenericSchema): KubeObject {
  return applyDecodedPatch(current, decodePatch(body, contentType), schema);
}
