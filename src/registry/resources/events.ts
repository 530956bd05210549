import * as schema from '../../schema/core.ts';
import { nameColumn, since } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

export type Event = KubeObject & {
  involvedObject?: { kind?: string; name?: string; namespace?: string; uid?: string; fieldPath?: string; apiVersion?: string; resourceVersion?: string };
  reason?: string; message?: string; type?: string; count?: number;
  firstTimestamp?: string; lastTimestamp?: string; eventTime?: string;
  source?: { component?: string; host?: string }; reportingComponent?: string; reportingInstance?: string;
};

const sourceCell = (e: Event) => {
  const component = e.source?.component || e.reportingComponent || '';
  const host = e.source?.host || e.reportingInstance || '';
  return host ? `${component}, ${host}` : component || '<none>';
};

/** events.k8s.io's involvedObject selectors, as describe uses them. */
const involved = (field: keyof NonNullable<Event['involvedObject']>) => (o: Event) => String(o.involvedObject?.[field] ?? '');

export const events = defineResource<Event>({
  group: '', version: 'v1', kind: 'Event', plural: 'events', singular: 'event', namespaced: true,
  shortNames: ['ev'], verbs: allVerbs, schema: schema.event,
  columns: [
    { name: 'Last Seen', type: 'string', description: 'The last time the event was seen.' },
    { name: 'Type', type: 'string', description: 'Type of this event (Normal, Warning).' },
    { name: 'Reason', type: 'string', description: 'Why the action was taken.' },
    { name: 'Object', type: 'string', description: 'The object this Event is about.' },
    { name: 'Subobject', type: 'string', priority: 1, description: 'The field of the object this Event is about.' },
    { name: 'Source', type: 'string', priority: 1, description: 'The component reporting this event.' },
    { name: 'Message', type: 'string', description: 'A human-readable description of the status of this operation.' },
    { name: 'First Seen', type: 'string', priority: 1, description: 'The first time the event was seen.' },
    { name: 'Count', type: 'integer', priority: 1, description: 'The number of times this event has occurred.' },
    { ...nameColumn, priority: 1 },
  ],
  row(e, { now }) {
    const first = e.firstTimestamp || e.eventTime;
    const last = e.lastTimestamp || first;
    const target = e.involvedObject?.name ? `${(e.involvedObject.kind ?? '').toLowerCase()}/${e.involvedObject.name}` : (e.involvedObject?.kind ?? '').toLowerCase();
    return [since(last, now), e.type ?? '', e.reason ?? '', target, e.involvedObject?.fieldPath ?? '', sourceCell(e), (e.message ?? '').trim(), since(first, now), e.count ?? 1, e.metadata.name];
  },
  fieldSelectors: {
    'involvedObject.kind': involved('kind'), 'involvedObject.namespace': involved('namespace'), 'involvedObject.name': involved('name'),
    'involvedObject.uid': involved('uid'), 'involvedObject.apiVersion': involved('apiVersion'), 'involvedObject.resourceVersion': involved('resourceVersion'),
    'involvedObject.fieldPath': involved('fieldPath'), reason: (o) => o.reason ?? '', type: (o) => o.type ?? '',
    'source': (o) => o.source?.component ?? '', reportingComponent: (o) => o.reportingComponent ?? '',
  },
  strategy: { allowUnconditionalUpdate: true },
});
