import type { Registry } from '../registry/generic.ts';
import type { Event } from '../registry/resources/events.ts';
import type { KubeObject } from '../registry/types.ts';
import { ApiError } from '../apimachinery/errors.ts';
import { hash64 } from '../apimachinery/hash.ts';
import { timestamp } from '../apimachinery/time.ts';

/**
 * The control plane's event recorder (client-go's EventRecorder + EventCorrelator):
 * an event repeated for the same object, reason, message and source is one Event
 * whose count and lastTimestamp grow. The name is derived from that key, so a
 * repeat finds its Event with one read and no list.
 */

export interface EventSpec {
  involved: KubeObject;
  fieldPath?: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  source: { component: string; host?: string };
  /** When it happened (ms since the epoch); the kubelet passes the transition's own time. */
  at: number;
}


/**
 * Where a reason falls in a pod's life. Real event names carry their creation time
 * in hex, so listing by name is chronological and `kubectl describe` (which sorts
 * by second-precision timestamps, stably for short lists) keeps that order for ties.
 */
const lifecycleRank: Record<string, number> = {
  FailedScheduling: 1, Scheduled: 2, Pulling: 3, Pulled: 4, InspectFailed: 5, Failed: 5, BackOff: 6, Created: 7, Started: 8, Killing: 9,
};

export function eventName(spec: EventSpec): string {
  const o = spec.involved.metadata;
  const key = [o.uid, spec.fieldPath ?? '', spec.type, spec.reason, spec.message, spec.source.component, spec.source.host ?? ''].join('\u0000');
  const rank = (lifecycleRank[spec.reason] ?? 10).toString(16);
  return `${(o.name ?? 'unknown').slice(0, 236)}.18${rank}${hash64(key).slice(0, 13)}`;
}

export async function recordEvent(registry: Registry, spec: EventSpec): Promise<void> {
  const def = registry.catalog.find('', 'v1', 'events')!;
  const o = spec.involved;
  const namespace = o.metadata.namespace ?? 'default';
  const name = eventName(spec);
  const at = timestamp(spec.at);
  const event: Event = {
    metadata: { name, namespace },
    // A cluster-scoped object's events live in `default` but name no namespace for it (kubectl describe node asks for none).
    involvedObject: {
      kind: o.kind ?? 'Pod', ...(o.metadata.namespace ? { namespace } : {}), name: o.metadata.name, uid: o.metadata.uid, apiVersion: o.apiVersion ?? 'v1', resourceVersion: o.metadata.resourceVersion,
      ...(spec.fieldPath ? { fieldPath: spec.fieldPath } : {}),
    },
    reason: spec.reason, message: spec.message, source: spec.source, firstTimestamp: at, lastTimestamp: at, count: 1, type: spec.type,
    reportingComponent: spec.source.component, reportingInstance: spec.source.host ?? '',
  };
  try {
    await registry.create(def, namespace, event);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.reason !== 'AlreadyExists') return; // e.g. the namespace is gone: nobody can read it anyway
    try {
      await registry.mutate(def, namespace, name, (current) => {
        const e = current as Event;
        e.count = (e.count ?? 1) + 1;
        if (!e.lastTimestamp || e.lastTimestamp < at) e.lastTimestamp = at;
        return e;
      });
    } catch (again) {
      if (!(again instanceof ApiError)) throw again;
    }
  }
}
