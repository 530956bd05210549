import * as schema from '../../schema/coreExtras.ts';
import { nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

/** core/v1 PodTemplate: stored and listed; no controller reads it. Columns as printers.go's printPodTemplate. */
type PodTemplate = KubeObject & { template?: { metadata?: { labels?: Record<string, string> }; spec?: { containers?: Array<{ name?: string; image?: string }> } } };

const labelsCell = (labels: Record<string, string> | undefined) =>
  Object.keys(labels ?? {}).sort().map((k) => `${k}=${labels![k]}`).join(',') || '<none>';

export const podtemplates = defineResource<PodTemplate>({
  group: '', version: 'v1', kind: 'PodTemplate', plural: 'podtemplates', singular: 'podtemplate', namespaced: true,
  verbs: allVerbs, schema: schema.podTemplate,
  columns: [
    nameColumn,
    { name: 'Containers', type: 'string', description: 'Names of each container in the template.' },
    { name: 'Images', type: 'string', description: 'Images referenced by each container in the template.' },
    { name: 'Pod Labels', type: 'string', description: 'The labels for the pod template.' },
  ],
  row(t) {
    const containers = t.template?.spec?.containers ?? [];
    return [t.metadata.name, containers.map((c) => c.name ?? '').join(','), containers.map((c) => c.image ?? '').join(','), labelsCell(t.template?.metadata?.labels)];
  },
  strategy: { tracksGeneration: true, allowUnconditionalUpdate: true },
});
