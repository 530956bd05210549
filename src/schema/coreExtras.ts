import { int, kubeObject, list, named, opaque, str, strMap, struct, time } from './base.ts';
import { kindCondition, labelSelector, objectReference, podTemplateSpec, resourceList, typedLocalObjectReference } from './common.ts';

/** core/v1 kinds beyond the basics: quotas, limits, volumes and claims, endpoints, replication controllers. */
const core = (kind: string) => `io.k8s.api.core.v1.${kind}`;

const scopedResourceSelectorRequirement = named(core('ScopedResourceSelectorRequirement'), struct({ scopeName: str(), operator: str(), values: list(str()) }));
export const resourceQuota = named(core('ResourceQuota'), kubeObject({
  spec: named(core('ResourceQuotaSpec'), struct({
    hard: resourceList(), scopes: list(str()),
    scopeSelector: named(core('ScopeSelector'), struct({ matchExpressions: list(scopedResourceSelectorRequirement) })),
  })),
  status: named(core('ResourceQuotaStatus'), struct({ hard: resourceList(), used: resourceList() })),
}));

const limitRangeItem = named(core('LimitRangeItem'), struct({
  type: str(), max: resourceList(), min: resourceList(), default: resourceList(), defaultRequest: resourceList(), maxLimitRequestRatio: resourceList(),
}));
export const limitRange = named(core('LimitRange'), kubeObject({ spec: named(core('LimitRangeSpec'), struct({ limits: list(limitRangeItem) })) }));

const volumeResourceRequirements = named(core('VolumeResourceRequirements'), struct({ limits: resourceList(), requests: resourceList() }));
export const persistentVolumeClaimSpec = named(core('PersistentVolumeClaimSpec'), struct({
  accessModes: list(str()), selector: labelSelector, resources: volumeResourceRequirements, volumeName: str(), storageClassName: str(),
  volumeMode: str(), dataSource: typedLocalObjectReference, dataSourceRef: named(core('TypedObjectReference'), struct({ apiGroup: str(), kind: str(), name: str(), namespace: str() })),
  volumeAttributesClassName: str(),
}));
export const persistentVolumeClaim = named(core('PersistentVolumeClaim'), kubeObject({
  spec: persistentVolumeClaimSpec,
  status: named(core('PersistentVolumeClaimStatus'), struct({
    phase: str(), accessModes: list(str()), capacity: resourceList(), conditions: list(kindCondition(core('PersistentVolumeClaimCondition'))),
    allocatedResources: resourceList(), allocatedResourceStatuses: strMap(), currentVolumeAttributesClassName: str(),
    modifyVolumeStatus: named(core('ModifyVolumeStatus'), struct({ targetVolumeAttributesClassName: str(), status: str() })),
  })),
}));

/** PersistentVolumeSource's members: one is set per volume; their insides stay opaque. */
const pvSources = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder', 'cephfs', 'fc', 'flocker',
  'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'local', 'storageos', 'csi',
];
export const persistentVolume = named(core('PersistentVolume'), kubeObject({
  spec: named(core('PersistentVolumeSpec'), struct({
    capacity: resourceList(), accessModes: list(str()), claimRef: objectReference, persistentVolumeReclaimPolicy: str(), storageClassName: str(),
    mountOptions: list(str()), volumeMode: str(), nodeAffinity: opaque(), volumeAttributesClassName: str(),
    ...Object.fromEntries(pvSources.map((s) => [s, opaque()])),
  })),
  status: named(core('PersistentVolumeStatus'), struct({ phase: str(), message: str(), reason: str(), lastPhaseTransitionTime: time() })),
}));

const endpointAddress = named(core('EndpointAddress'), struct({ ip: str(), hostname: str(), nodeName: str(), targetRef: objectReference }));
const endpointPort = named(core('EndpointPort'), struct({ name: str(), port: int(), protocol: str(), appProtocol: str() }));
export const endpoints = named(core('Endpoints'), kubeObject({
  subsets: list(named(core('EndpointSubset'), struct({ addresses: list(endpointAddress), notReadyAddresses: list(endpointAddress), ports: list(endpointPort) }))),
}));

export const replicationController = named(core('ReplicationController'), kubeObject({
  spec: named(core('ReplicationControllerSpec'), struct({ replicas: int(), minReadySeconds: int(), selector: strMap(), template: podTemplateSpec })),
  status: named(core('ReplicationControllerStatus'), struct({
    replicas: int(), fullyLabeledReplicas: int(), readyReplicas: int(), availableReplicas: int(), observedGeneration: int(),
    conditions: list(kindCondition(core('ReplicationControllerCondition'))),
  })),
}));

/** ComponentStatus (deprecated since v1.19, still served): the health of the control plane's parts. */
export const componentStatus = named(core('ComponentStatus'), kubeObject({
  conditions: list(named(core('ComponentCondition'), struct({ type: str(), status: str(), message: str(), error: str() }))),
}));

/** PodTemplate: a stored pod template (nothing acts on it), as workloads embed one. */
export const podTemplate = named(core('PodTemplate'), kubeObject({ template: podTemplateSpec }));
