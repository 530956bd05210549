import { int, kubeObject, named, str, struct, time } from './base.ts';
import { objectReference } from './common.ts';

/** events.k8s.io/v1 Event: the same stored events as core/v1, with the newer field names. */
const ev = (kind: string) => `io.k8s.api.events.v1.${kind}`;

export const eventV1 = named(ev('Event'), kubeObject({
  eventTime: str(),
  series: named(ev('EventSeries'), struct({ count: int(), lastObservedTime: str() })),
  reportingController: str(), reportingInstance: str(), action: str(), reason: str(),
  regarding: objectReference, related: objectReference, note: str(), type: str(),
  deprecatedSource: named('io.k8s.api.core.v1.EventSource', struct({ component: str(), host: str() })),
  deprecatedFirstTimestamp: time(), deprecatedLastTimestamp: time(), deprecatedCount: int(),
}));
