import { ApiError } from '../apimachinery/errors.ts';
import { backgroundPace } from '../apimachinery/nextTurn.ts';
import type { Registry } from '../registry/generic.ts';
import type { KubeObject, ResourceDef } from '../registry/types.ts';

export interface Creation { def: ResourceDef; namespace?: string; object: KubeObject }

/** How many creates run at once: the objects are independent, and a remote store (DynamoDB, a Durable Object) pays a round trip for each. */
const concurrency = 16;

/**
 * Creates each object, skipping what exists (safe to run again), several at a time, on turns of
 * the loop shared with others' requests (on a memory store nothing here waits: a new cluster's
 * objects made back to back held the loop every cluster shares ~60 ms).
 */
export async function createEach(registry: Registry, creations: Iterable<Creation>): Promise<void> {
  const pending = [...creations];
  const worker = async () => {
    for (let next = pending.shift(); next; next = pending.shift()) {
      await backgroundPace();
      try {
        await registry.create(next.def, next.namespace, next.object);
      } catch (err) {
        if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
