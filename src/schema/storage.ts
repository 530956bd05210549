import { bool, kubeObject, list, named, str, strMap, struct } from './base.ts';

/** storage.k8s.io/v1 StorageClass (fields in Go struct order: they sit beside metadata, there is no spec). */
const storage = (kind: string) => `io.k8s.api.storage.v1.${kind}`;

const topologySelectorTerm = named('io.k8s.api.core.v1.TopologySelectorTerm', struct({
  matchLabelExpressions: list(named('io.k8s.api.core.v1.TopologySelectorLabelRequirement', struct({ key: str(), values: list(str()) }))),
}));

export const storageClass = named(storage('StorageClass'), kubeObject({
  provisioner: str(), parameters: strMap(), reclaimPolicy: str(), mountOptions: list(str()), allowVolumeExpansion: bool(),
  volumeBindingMode: str(), allowedTopologies: list(topologySelectorTerm),
}));

/** storage.k8s.io/v1 VolumeAttributesClass (GA in 1.34): mutable CSI parameters a claim names (`volumeAttributesClassName`). */
export const volumeAttributesClass = named(storage('VolumeAttributesClass'), kubeObject({ driverName: str(), parameters: strMap() }));
