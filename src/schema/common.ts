import * as v from 'valibot';
import { int, list, named, objectMeta, quantity, str, strMap, struct, time } from './base.ts';
import { podSpec } from './core.ts';

/** Types several API groups share: selectors, pod templates, references, conditions. */
const meta = (kind: string) => `io.k8s.apimachinery.pkg.apis.meta.v1.${kind}`;
const core = (kind: string) => `io.k8s.api.core.v1.${kind}`;

export const labelSelectorRequirement = named(meta('LabelSelectorRequirement'), struct({ key: str(), operator: str(), values: list(str()) }));
export const labelSelector = named(meta('LabelSelector'), struct({ matchLabels: strMap(), matchExpressions: list(labelSelectorRequirement) }));

export const podTemplateSpec = named(core('PodTemplateSpec'), struct({ metadata: objectMeta, spec: podSpec }));

export const objectReference = named(core('ObjectReference'), struct({
  kind: str(), namespace: str(), name: str(), uid: str(), apiVersion: str(), resourceVersion: str(), fieldPath: str(),
}));
export const typedLocalObjectReference = named(core('TypedLocalObjectReference'), struct({ apiGroup: str(), kind: str(), name: str() }));

/** metav1.Condition, the shape newer APIs (PDB status, ...) use. */
export const metaCondition = named(meta('Condition'), struct({
  type: str(), status: str(), observedGeneration: int(), lastTransitionTime: time(), reason: str(), message: str(),
}));

/** The per-kind condition structs (DeploymentCondition, JobCondition, ...) differ only in their time fields. */
export const kindCondition = (name: string) => named(name, struct({
  type: str(), status: str(), lastProbeTime: time(), lastUpdateTime: time(), lastTransitionTime: time(), reason: str(), message: str(),
}));

export const resourceList = () => v.record(v.string(), quantity());
