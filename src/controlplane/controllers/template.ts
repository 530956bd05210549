import type { PodTemplateSpec } from '../../registry/podTemplate.ts';
import type { KubeObject } from '../../registry/types.ts';
import { controllerRef } from './objects.ts';

/**
 * controller.GetPodFromTemplate: a pod as a workload controller creates it —
 * the template's labels, annotations, finalizers and spec, owned by the
 * workload, named `<owner>-xxxxx` (generateName shows where the name came from).
 * The pod then takes the normal create path: defaults, admission, scheduler, kubelet.
 */
export function podFromTemplate(template: PodTemplateSpec | undefined, owner: KubeObject, name: string, options: {
  labels?: Record<string, string>; annotations?: Record<string, string>; generateName?: string; spec?: Record<string, unknown>;
} = {}): KubeObject {
  const meta = template?.metadata ?? {};
  const labels = { ...(meta.labels ?? {}), ...(options.labels ?? {}) };
  const annotations = { ...(meta.annotations ?? {}), ...(options.annotations ?? {}) };
  const finalizers = meta.finalizers as string[] | undefined;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name,
      ...(options.generateName === '' ? {} : { generateName: options.generateName ?? `${owner.metadata.name}-` }),
      namespace: owner.metadata.namespace,
      ...(Object.keys(labels).length ? { labels } : {}),
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ...(finalizers?.length ? { finalizers: [...finalizers] } : {}),
      ownerReferences: [controllerRef(owner)],
    },
    spec: { ...structuredClone(template?.spec ?? {}), ...(options.spec ?? {}) },
  };
}

/** The template without one label: how a controller compares templates it stamped (EqualIgnoreHash). */
export function withoutLabel(template: PodTemplateSpec | undefined, key: string): PodTemplateSpec {
  const copy = structuredClone(template ?? {});
  const labels = copy.metadata?.labels;
  if (labels && key in labels) {
    delete labels[key];
    if (!Object.keys(labels).length) delete copy.metadata!.labels;
  }
  return copy;
}
