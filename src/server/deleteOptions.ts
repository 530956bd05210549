import type { DeleteOptions } from '../registry/generic.ts';
import { badRequest, invalid } from '../apimachinery/errors.ts';

/**
 * A DeleteOptions body (of a DELETE, or an Eviction's `deleteOptions`), checked as Go's
 * decoder and ValidateDeleteOptions would: a field of the wrong type is a 400, an
 * unsupported value a 422. Nothing is skipped silently: a `dryRun: "All"` ignored for its
 * type would turn a dry run into a real delete.
 */

const policies: ReadonlyArray<NonNullable<DeleteOptions['propagationPolicy']>> = ['Orphan', 'Background', 'Foreground'];

const jsonKind = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function decodeDeleteOptions(body: unknown, where = 'DeleteOptions'): DeleteOptions {
  const wrong = (field: string, value: unknown, type: string) =>
    badRequest(`json: cannot unmarshal ${jsonKind(value)} into Go struct field ${where}.${field} of type ${type}`);
  const unsupported = (field: string, value: unknown, detail: string) =>
    invalid('DeleteOptions', 'meta.k8s.io', '', [{ field, type: 'FieldValueNotSupported', value, detail }]);
  if (body === undefined || body === null) return {};
  if (!isObject(body)) throw badRequest(`json: cannot unmarshal ${jsonKind(body)} into Go value of type ${where}`);
  const out: DeleteOptions = {};
  for (const field of ['kind', 'apiVersion'] as const) {
    if (body[field] != null && typeof body[field] !== 'string') throw wrong(field, body[field], 'string');
  }
  if (body.kind != null && body.kind !== 'DeleteOptions') throw badRequest(`${String(body.kind)} cannot be handled as a DeleteOptions`);

  const grace = body.gracePeriodSeconds;
  if (grace != null) {
    if (typeof grace !== 'number' || !Number.isInteger(grace)) throw wrong('gracePeriodSeconds', grace, 'int64');
    out.gracePeriodSeconds = Math.max(0, grace);
  }

  const pre = body.preconditions;
  if (pre != null) {
    if (!isObject(pre)) throw wrong('preconditions', pre, 'v1.Preconditions');
    for (const field of ['uid', 'resourceVersion'] as const) {
      if (pre[field] != null && typeof pre[field] !== 'string') throw wrong(`preconditions.${field}`, pre[field], 'string');
    }
    out.preconditions = { uid: (pre.uid as string | null) ?? undefined, resourceVersion: (pre.resourceVersion as string | null) ?? undefined };
  }

  const dryRun = body.dryRun;
  if (dryRun != null) {
    if (!Array.isArray(dryRun) || dryRun.some((v) => typeof v !== 'string')) throw wrong('dryRun', dryRun, '[]string');
    const bad = dryRun.find((v) => v !== 'All');
    if (bad !== undefined) throw unsupported('dryRun', bad, 'supported values: "All"');
    out.dryRun = dryRun.length > 0;
  }

  const orphan = body.orphanDependents;
  if (orphan != null && typeof orphan !== 'boolean') throw wrong('orphanDependents', orphan, 'bool');
  const policy = body.propagationPolicy;
  if (policy != null) {
    if (typeof policy !== 'string') throw wrong('propagationPolicy', policy, 'v1.DeletionPropagation');
    if (!policies.includes(policy as never)) throw unsupported('propagationPolicy', policy, 'supported values: "Foreground", "Background", "Orphan"');
    if (orphan != null) throw invalid('DeleteOptions', 'meta.k8s.io', '', [{ field: 'propagationPolicy', type: 'FieldValueInvalid', value: policy, detail: 'orphanDependents and deletionPropagation cannot be both set' }]);
    out.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  } else if (orphan === true) out.propagationPolicy = 'Orphan';
  return out;
}
