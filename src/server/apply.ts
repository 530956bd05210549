import type { Context } from 'hono';
import { ApiError } from '../apimachinery/errors.ts';
import { queryBool } from '../apimachinery/queryParams.ts';
import { applyConfiguration, ApplyConflictError, ownedByConfiguration, ownershipScope } from '../registry/managedFields.ts';
import { apiVersionOf, type KubeObject, type ResourceDef } from '../registry/types.ts';

/**
 * Server-side apply at the REST layer: who the field manager is, and the apply itself
 * (ownership and conflicts are the registry's managedFields module; this adds what
 * kube-apiserver's handlers add around it).
 */

export const applyPatchType = 'application/apply-patch+yaml';

/** validation.FieldManagerMaxLength */
const maxManagerLength = 128;

/**
 * The request's field manager (managerOrUserAgent): `?fieldManager=`, else the User-Agent up
 * to its first `/` (`kubectl` for `kubectl scale`), printable characters only, at most 128
 * bytes. Apply requires an explicit one.
 */
export function fieldManagerOf(c: Context, options: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions', apply = false): string {
  const given = c.req.query('fieldManager');
  if (given !== undefined && given !== '') {
    if (new TextEncoder().encode(given).length > maxManagerLength) throw invalidOptions(`fieldManager: Too long: may not be more than ${maxManagerLength} bytes`, 'fieldManager', options);
    if (/\p{C}/u.test(given)) throw invalidOptions(`fieldManager: Invalid value: ${JSON.stringify(given)}: must only contain printable characters`, 'fieldManager', options);
    return given;
  }
  if (apply) throw invalidOptions('fieldManager: Required value: is required for apply patch', 'fieldManager', options);
  const agent = (c.req.header('user-agent') ?? '').split('/')[0];
  let out = '';
  for (const ch of agent) {
    if (/\p{C}/u.test(ch)) continue;
    if (new TextEncoder().encode(out + ch).length > maxManagerLength) break;
    out += ch;
  }
  return out;
}

/** ValidatePatchOptions' 422: `field: Kind of error: detail`, with its cause. */
function invalidOptions(detail: string, field: string, options: string): ApiError {
  const reason = detail.includes('Required value') ? 'FieldValueRequired' : detail.includes('Forbidden') ? 'FieldValueForbidden' : detail.includes('Too long') ? 'FieldValueTooLong' : 'FieldValueInvalid';
  return new ApiError(422, 'Invalid', `${options}.meta.k8s.io "" is invalid: ${detail}`, { group: 'meta.k8s.io', kind: options, causes: [{ reason, message: detail.slice(detail.indexOf(': ') + 2), field }] });
}

/** `?force=true` (`kubectl apply --server-side --force-conflicts`); only an apply may say it (ValidatePatchOptions). */
export function forceOf(c: Context, apply: boolean): boolean {
  const force = c.req.query('force');
  if (force !== undefined && !apply) throw invalidOptions('force: Forbidden: may not be specified for non-apply patch', 'force', 'PatchOptions');
  return queryBool(force) ?? false;
}

const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';

/** The fields of the client-side apply annotation's configuration, if the object has a readable one. */
function lastAppliedFields(def: ResourceDef, live: KubeObject) {
  const text = live.metadata.annotations?.[lastApplied];
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    return ownedByConfiguration(parsed as KubeObject, def);
  } catch {
    return undefined;
  }
}

/** Go's json.Marshal of an unstructured object: map keys sorted. */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(',')}}`;
}

/**
 * Applies `config` onto `live` as `manager`. As kube-apiserver's lastAppliedUpdater does for
 * kubectl's own server-side apply, an object that carries client-side apply's annotation
 * gets the applied configuration written into it, so a later client-side apply diffs
 * against what was last applied either way.
 */
export function serverSideApply(def: ResourceDef, live: KubeObject, config: KubeObject, options: { manager: string; force: boolean; time: string; subresource?: string }): KubeObject {
  const writer = { manager: options.manager, apiVersion: apiVersionOf(def), time: options.time, ...(options.subresource ? { subresource: options.subresource } : {}) };
  const scope = ownershipScope(def, options.subresource);
  let out: KubeObject;
  try {
    out = applyConfiguration(live, config, writer, options.force, scope, def.schema);
  } catch (err) {
    // lastAppliedManager: kubectl's first server-side apply of an object it managed client-side
    // takes over the fields of the last-applied configuration without conflicts.
    const allowed = options.manager === 'kubectl' && err instanceof ApplyConflictError ? lastAppliedFields(def, live) : undefined;
    if (!allowed || !(err as ApplyConflictError).conflicts.every((c) => allowed.has(c.path))) throw err;
    out = applyConfiguration(live, config, writer, true, scope, def.schema);
  }
  if (options.manager === 'kubectl' && out.metadata.annotations?.[lastApplied] !== undefined) {
    const { [lastApplied]: _previous, ...annotations } = config.metadata?.annotations ?? {};
    const recorded = { ...config, metadata: { ...config.metadata, annotations: Object.keys(annotations).length ? annotations : undefined } };
    out.metadata.annotations = { ...out.metadata.annotations, [lastApplied]: `${sortedJson(recorded)}\n` };
  }
  return out;
}
