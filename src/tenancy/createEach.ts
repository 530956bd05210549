import { ApiError } from '../apimachinery/errors.ts';
import { backgroundPace } from '../apimachinery/nextTurn.ts';
import type { Registry } from '../registry/generic.ts';
import type { KubeObject, ResourceDef } from '../registry/types.ts';

export interface Creation { def: ResourceDef; namespace?: string; object: KubeObject }

/** How many creates run at once: the objects are independent, and a remote store (DynamoDB, a Durable Object) pays a round trip for each. */
const concurrency = 16;

/**
 * Creates the object unless it exists (then undefined: a cluster bootstrapped before keeps what it
 * has), on the loop's background pace: on a memory store nothing in a cluster's bootstrap waits,
 * and its objects made back to back held the loop every cluster shares ~60 ms.
 */
export async function createUnlessExists(registry: Registry, def: ResourceDef, namespace: string | undefined, object: KubeObject): Promise<KubeObject | undefined> {
  await backgroundPace();
  try {
    return await registry.create(def, namespace, object);
  } catch (err) {
    if (err instanceof ApiError && err.reason === 'AlreadyExists') return undefined;
    throw err;
  }
}

/** Creates each object, skipping what exists (safe to run again), several at a time. */
export async function createEach(registry: Registry, creations: Iterable<Creation>): Promise<void> {
  const pending = [...creations];
  const worker = async () => {
    for (let next = pending.shift(); next; next = pending.shift()) await createUnlessExists(registry, next.def, next.namespace, next.object);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
