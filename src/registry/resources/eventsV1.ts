import * as schema from '../../schema/eventsV1.ts';
import { defineResource, allVerbs, type KubeObject } from '../types.ts';
import { events, type Event as CoreEvent } from './events.ts';

/**
 * events.k8s.io/v1 Event: the very objects of core/v1 `events`, stored once and converted both
 * ways as kube-apiserver's conversion functions do (pkg/apis/events/v1/conversion.go), so an event
 * the scheduler records is listed by both APIs, and one made through either is seen by both.
 */
type Reference = NonNullable<CoreEvent['involvedObject']>;
type Event = KubeObject & {
  eventTime?: string; series?: { count?: number; lastObservedTime?: string }; reportingController?: string; reportingInstance?: string;
  action?: string; reason?: string; regarding?: Reference; related?: Reference; note?: string; type?: string;
  deprecatedSource?: { component?: string; host?: string }; deprecatedFirstTimestamp?: string; deprecatedLastTimestamp?: string; deprecatedCount?: number;
};
type StoredEvent = CoreEvent & { series?: Event['series']; action?: string; related?: Reference };

/** Drops what is absent, so a converted object carries exactly the fields its source had. */
const present = <T extends object>(obj: T): T => Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && v !== null)) as T;

function fromCore(e: StoredEvent): Event {
  return present({
    kind: 'Event', apiVersion: 'events.k8s.io/v1', metadata: e.metadata,
    eventTime: e.eventTime, series: e.series, reportingController: e.reportingComponent, reportingInstance: e.reportingInstance,
    action: e.action, reason: e.reason, regarding: e.involvedObject, related: e.related, note: e.message, type: e.type,
    deprecatedSource: e.source, deprecatedFirstTimestamp: e.firstTimestamp, deprecatedLastTimestamp: e.lastTimestamp, deprecatedCount: e.count,
  });
}

function toCore(e: Event): StoredEvent {
  return present({
    kind: 'Event', apiVersion: 'v1', metadata: e.metadata,
    involvedObject: e.regarding, reason: e.reason, message: e.note, source: e.deprecatedSource,
    firstTimestamp: e.deprecatedFirstTimestamp, lastTimestamp: e.deprecatedLastTimestamp, count: e.deprecatedCount, type: e.type,
    eventTime: e.eventTime, series: e.series, action: e.action, related: e.related, reportingComponent: e.reportingController, reportingInstance: e.reportingInstance,
  });
}

export const eventsV1 = defineResource<Event>({
  group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', singular: 'event', namespaced: true,
  shortNames: ['ev'], verbs: allVerbs, schema: schema.eventV1,
  storedAs: { group: events.group, plural: events.plural, toStorage: toCore, fromStorage: fromCore },
  // kube-apiserver prints both with the same event printer
  columns: events.columns,
  row: (e, ctx) => events.row(toCore(e), ctx),
  fieldSelectors: {
    'regarding.kind': (o) => o.regarding?.kind ?? '', 'regarding.namespace': (o) => o.regarding?.namespace ?? '', 'regarding.name': (o) => o.regarding?.name ?? '',
    'regarding.uid': (o) => o.regarding?.uid ?? '', reason: (o) => o.reason ?? '', type: (o) => o.type ?? '', reportingController: (o) => o.reportingController ?? '',
  },
  strategy: { allowUnconditionalUpdate: true },
});
