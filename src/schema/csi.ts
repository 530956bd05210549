import { bool, int, kubeObject, list, named, opaque, quantity, str, struct, time } from './base.ts';
import { labelSelector } from './common.ts';

/** storage.k8s.io/v1's CSI kinds: CSIDriver, CSINode, CSIStorageCapacity, VolumeAttachment (fields in Go struct order). */
const storage = (kind: string) => `io.k8s.api.storage.v1.${kind}`;

export const csiDriver = named(storage('CSIDriver'), kubeObject({
  spec: named(storage('CSIDriverSpec'), struct({
    attachRequired: bool(), podInfoOnMount: bool(), volumeLifecycleModes: list(str()), storageCapacity: bool(), fsGroupPolicy: str(),
    tokenRequests: list(named(storage('TokenRequest'), struct({ audience: str(), expirationSeconds: int() }))),
    requiresRepublish: bool(), seLinuxMount: bool(), nodeAllocatableUpdatePeriodSeconds: int(), serviceAccountTokenInSecrets: bool(),
  })),
}));

export const csiNode = named(storage('CSINode'), kubeObject({
  spec: named(storage('CSINodeSpec'), struct({
    drivers: list(named(storage('CSINodeDriver'), struct({
      name: str(), nodeID: str(), topologyKeys: list(str()),
      allocatable: named(storage('VolumeNodeResources'), struct({ count: int() })),
    }))),
  })),
}));

export const csiStorageCapacity = named(storage('CSIStorageCapacity'), kubeObject({
  nodeTopology: labelSelector, storageClassName: str(), capacity: quantity(), maximumVolumeSize: quantity(),
}));

const volumeError = named(storage('VolumeError'), struct({ time: time(), message: str(), errorCode: int() }));
export const volumeAttachment = named(storage('VolumeAttachment'), kubeObject({
  spec: named(storage('VolumeAttachmentSpec'), struct({
    attacher: str(),
    source: named(storage('VolumeAttachmentSource'), struct({ persistentVolumeName: str(), inlineVolumeSpec: opaque() })),
    nodeName: str(),
  })),
  status: named(storage('VolumeAttachmentStatus'), struct({ attached: bool(), attachmentMetadata: opaque(), attachError: volumeError, detachError: volumeError })),
}));
