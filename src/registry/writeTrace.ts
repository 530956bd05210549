import type { ChangeEvent } from '../ports.ts';
import type { RequestTrace } from '../trace/requestTrace.ts';
import type { KubeObject, ResourceDef } from './types.ts';

/**
 * The registry's steps of a write, as a request's trace records them (nothing is recorded
 * without a trace: a worker's write, or a deployment without a TraceSink).
 */

/** The kind's validation: valid, or the 422 it refused with. */
export function tracedValidation(trace: RequestTrace | undefined, def: ResourceDef, validate: () => void): void {
  if (!trace) return validate();
  const since = trace.now();
  try {
    validate();
  } catch (err) {
    trace.add('validation', err instanceof Error ? err.message : String(err), { since, refused: true });
    throw err;
  }
  trace.add('validation', `valid: the ${def.kind} schema, its fields' formats and the kind's own rules`, { since });
}

const storeVerbs: Record<ChangeEvent['type'], string> = { ADDED: 'created', MODIFIED: 'updated', DELETED: 'deleted' };

/** The store's commit (where etcd sits: the key and the revision it got), then the change event it sends. */
export async function tracedCommit(trace: RequestTrace | undefined, key: string, obj: KubeObject, type: ChangeEvent['type'], revision: number, since: number | undefined, send: () => Promise<void>): Promise<void> {
  if (!trace) return send();
  trace.add('store', `${storeVerbs[type]} ${key} at revision ${revision} (compare-and-swap on the key's last revision)`, { since, revision });
  trace.wrote(obj.metadata.namespace, obj.metadata.name!, obj.metadata.uid);
  const sent = trace.now();
  await send();
  trace.add('queue', `change event ${type} ${key.split('/').slice(3).join('/')} at revision ${revision} → the scheduler, kubelets and controllers`, { since: sent });
}

/** A write that stored nothing: unchanged, or a dry run. */
export function tracedNoWrite(trace: RequestTrace | undefined, why: string): void {
  trace?.add('store', why);
}
