import { bool, int, intOrString, kubeObject, list, named, opaque, str, struct } from './base.ts';
import { kindCondition, labelSelector, podTemplateSpec } from './common.ts';
import { persistentVolumeClaim } from './coreExtras.ts';

/** apps/v1 wire types. */
const apps = (kind: string) => `io.k8s.api.apps.v1.${kind}`;

export const deployment = named(apps('Deployment'), kubeObject({
  spec: named(apps('DeploymentSpec'), struct({
    replicas: int(), selector: labelSelector, template: podTemplateSpec,
    strategy: named(apps('DeploymentStrategy'), struct({
      type: str(), rollingUpdate: named(apps('RollingUpdateDeployment'), struct({ maxUnavailable: intOrString(), maxSurge: intOrString() })),
    })),
    minReadySeconds: int(), revisionHistoryLimit: int(), paused: bool(), progressDeadlineSeconds: int(),
  })),
  status: named(apps('DeploymentStatus'), struct({
    observedGeneration: int(), replicas: int(), updatedReplicas: int(), readyReplicas: int(), availableReplicas: int(),
    unavailableReplicas: int(), terminatingReplicas: int(), conditions: list(kindCondition(apps('DeploymentCondition'))), collisionCount: int(),
  })),
}));

export const replicaSet = named(apps('ReplicaSet'), kubeObject({
  spec: named(apps('ReplicaSetSpec'), struct({ replicas: int(), minReadySeconds: int(), selector: labelSelector, template: podTemplateSpec })),
  status: named(apps('ReplicaSetStatus'), struct({
    replicas: int(), fullyLabeledReplicas: int(), readyReplicas: int(), availableReplicas: int(), terminatingReplicas: int(),
    observedGeneration: int(), conditions: list(kindCondition(apps('ReplicaSetCondition'))),
  })),
}));

export const statefulSet = named(apps('StatefulSet'), kubeObject({
  spec: named(apps('StatefulSetSpec'), struct({
    replicas: int(), selector: labelSelector, template: podTemplateSpec, volumeClaimTemplates: list(persistentVolumeClaim),
    serviceName: str(), podManagementPolicy: str(),
    updateStrategy: named(apps('StatefulSetUpdateStrategy'), struct({
      type: str(), rollingUpdate: named(apps('RollingUpdateStatefulSetStrategy'), struct({ partition: int(), maxUnavailable: intOrString() })),
    })),
    revisionHistoryLimit: int(), minReadySeconds: int(),
    persistentVolumeClaimRetentionPolicy: named(apps('StatefulSetPersistentVolumeClaimRetentionPolicy'), struct({ whenDeleted: str(), whenScaled: str() })),
    ordinals: named(apps('StatefulSetOrdinals'), struct({ start: int() })),
  })),
  status: named(apps('StatefulSetStatus'), struct({
    observedGeneration: int(), replicas: int(), readyReplicas: int(), currentReplicas: int(), updatedReplicas: int(), currentRevision: str(),
    updateRevision: str(), collisionCount: int(), conditions: list(kindCondition(apps('StatefulSetCondition'))), availableReplicas: int(),
  })),
}));

export const daemonSet = named(apps('DaemonSet'), kubeObject({
  spec: named(apps('DaemonSetSpec'), struct({
    selector: labelSelector, template: podTemplateSpec,
    updateStrategy: named(apps('DaemonSetUpdateStrategy'), struct({
      type: str(), rollingUpdate: named(apps('RollingUpdateDaemonSet'), struct({ maxUnavailable: intOrString(), maxSurge: intOrString() })),
    })),
    minReadySeconds: int(), revisionHistoryLimit: int(),
  })),
  status: named(apps('DaemonSetStatus'), struct({
    currentNumberScheduled: int(), numberMisscheduled: int(), desiredNumberScheduled: int(), numberReady: int(), observedGeneration: int(),
    updatedNumberScheduled: int(), numberAvailable: int(), numberUnavailable: int(), collisionCount: int(),
    conditions: list(kindCondition(apps('DaemonSetCondition'))),
  })),
}));

/** `data` is any object (runtime.RawExtension): a snapshot of the owner's template. */
export const controllerRevision = named(apps('ControllerRevision'), kubeObject({ data: opaque(), revision: int() }));
