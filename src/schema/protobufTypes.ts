/**
 * The Kubernetes protobuf wire schema as data, interpreted by one generic decoder
 * (src/server/protobuf.ts). kubectl's typed commands (`create namespace|deployment|…`,
 * `auth can-i`, `create token`, drain's evictions) send only protobuf, never JSON.
 *
 * Field numbers and wire types are facts of the wire format, taken from the
 * generated.proto files of k8s.io/api v0.35.2 (core, apps, batch, rbac, authorization,
 * authentication, certificates, policy, networking, scheduling v1) and k8s.io/apimachinery v0.35.2
 * (meta/v1, api/resource, util/intstr). JSON names, Go pointers and `omitempty`, which
 * decide how a zero value reads in JSON, come from the struct tags in the same
 * packages' types.go. The table is the closure of every message reachable from the
 * kinds below, so a known kind never loses a field its spec can carry.
 */

/** Scalars as proto2 encodes them (go-to-protobuf never emits enums or floats for these kinds). */
export type ScalarType = 'string' | 'int32' | 'int64' | 'bool' | 'bytes';
/**
 * apimachinery types whose wire message differs from their JSON form:
 * time (metav1.Time, RFC3339 seconds), microTime (RFC3339 with microseconds),
 * quantity (resource.Quantity, a string), intOrString (a number or a string),
 * fieldsV1 (raw JSON bytes: managedFields), stringList (authn/authz ExtraValue: a bare array).
 */
export type SpecialType = 'time' | 'microTime' | 'quantity' | 'intOrString' | 'fieldsV1' | 'stringList';
export type ValueType = ScalarType | SpecialType | `message:${string}`;
export type FieldType = ValueType | `${ValueType}[]` | `map<string,${ValueType}>`;
/**
 * keep: emit the value even when it is zero (a Go pointer, so presence means "set",
 *   e.g. `replicas: 0`; or a JSON field without omitempty, e.g. a container's `name`).
 *   Without it a zero scalar is omitted, as Go's `omitempty` does.
 * inline: a Go embedded struct (`json:",inline"`): its fields land in the parent object.
 */
export type FieldFlag = 'keep' | 'inline';
export type Field = readonly [json: string, type: FieldType, flag?: FieldFlag];
/** Field number → field. Numbers not listed are skipped, as protobuf's forward compatibility wants. */
export type Message = Readonly<Record<number, Field>>;

/**
 * Top-level kinds the decoder accepts, by apiVersion; each kind's message has the
 * kind's name. Any other kind in the envelope is a 415.
 */
/**
 * Kinds every group version carries (metav1.AddToGroupVersion registers them in each), so a
 * client encodes them under the version of the resource it deletes: helm's DELETE of a
 * Deployment sends an `apps/v1` DeleteOptions, of a CRD an `apiextensions.k8s.io/v1` one.
 */
export const everyVersionKinds: readonly string[] = ['DeleteOptions'];

export const kinds: Readonly<Record<string, readonly string[]>> = {
  v1: ['Binding', 'ConfigMap', 'DeleteOptions', 'Event', 'LimitRange', 'Namespace', 'Node', 'Pod', 'PodTemplate', 'ReplicationController', 'ResourceQuota', 'Secret', 'Service', 'ServiceAccount'],
  'apps/v1': ['DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet'],
  'batch/v1': ['CronJob', 'Job'],
  'rbac.authorization.k8s.io/v1': ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
  'authorization.k8s.io/v1': ['LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview'],
  'authentication.k8s.io/v1': ['SelfSubjectReview', 'TokenRequest'],
  'certificates.k8s.io/v1': ['CertificateSigningRequest'],
  'policy/v1': ['Eviction', 'PodDisruptionBudget'],
  'networking.k8s.io/v1': ['Ingress'],
  'scheduling.k8s.io/v1': ['PriorityClass'],
  'autoscaling/v2': ['HorizontalPodAutoscaler'],
  'autoscaling/v1': ['HorizontalPodAutoscaler'],
};

/** A kind whose message is not named after it: one name in two versions with different fields (`kubectl autoscale` on 1.32 sends v1). */
export const kindMessages: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'autoscaling/v1': { HorizontalPodAutoscaler: 'HorizontalPodAutoscalerV1' },
};

/**
 * The wire messages behind the special types (apimachinery's generated.proto: meta/v1
 * Timestamp/MicroTime, resource.Quantity, intstr.IntOrString, meta/v1 FieldsV1, and the
 * ExtraValue string-list wrapper of authentication/v1 and authorization/v1). The decoder
 * reads them like any message, then turns them into their JSON form.
 */
export const specialShapes: Readonly<Record<SpecialType, Message>> = {
  time: { 1: ['seconds', 'int64', 'keep'], 2: ['nanos', 'int32', 'keep'] },
  microTime: { 1: ['seconds', 'int64', 'keep'], 2: ['nanos', 'int32', 'keep'] },
  quantity: { 1: ['string', 'string', 'keep'] },
  intOrString: { 1: ['type', 'int64', 'keep'], 2: ['intVal', 'int32', 'keep'], 3: ['strVal', 'string', 'keep'] },
  fieldsV1: { 1: ['raw', 'bytes', 'keep'] },
  stringList: { 1: ['items', 'string[]'] },
};

/** Message name → field number → field, grouped by proto package. */
export const messages: Readonly<Record<string, Message>> = {
  // k8s.io.api.apps.v1
  DaemonSet: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:DaemonSetSpec'], 3: ['status', 'message:DaemonSetStatus'] },
  DaemonSetCondition: { 1: ['type', 'string', 'keep'], 2: ['status', 'string', 'keep'], 3: ['lastTransitionTime', 'time'], 4: ['reason', 'string'], 5: ['message', 'string'] },
  DaemonSetSpec: { 1: ['selector', 'message:LabelSelector'], 2: ['template', 'message:PodTemplateSpec'], 3: ['updateStrategy', 'message:DaemonSetUpdateStrategy'], 4: ['minReadySeconds', 'int32'], 6: ['revisionHistoryLimit', 'int32', 'keep'] },
  DaemonSetStatus: { 1: ['currentNumberScheduled', 'int32', 'keep'], 2: ['numberMisscheduled', 'int32', 'keep'], 3: ['desiredNumberScheduled', 'int32', 'keep'], 4: ['numberReady', 'int32', 'keep'], 5: ['observedGeneration', 'int64'], 6: ['updatedNumberScheduled', 'int32'], 7: ['numberAvailable', 'int32'], 8: ['numberUnavailable', 'int32'], 9: ['collisionCount', 'int32', 'keep'], 10: ['conditions', 'message:DaemonSetCondition[]'] },
  DaemonSetUpdateStrategy: { 1: ['type', 'string'], 2: ['rollingUpdate', 'message:RollingUpdateDaemonSet'] },
  Deployment: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:DeploymentSpec'], 3: ['status', 'message:DeploymentStatus'] },
  DeploymentCondition: { 1: ['type', 'string', 'keep'], 2: ['status', 'string', 'keep'], 4: ['reason', 'string'], 5: ['message', 'string'], 6: ['lastUpdateTime', 'time'], 7: ['lastTransitionTime', 'time'] },
  DeploymentSpec: { 1: ['replicas', 'int32', 'keep'], 2: ['selector', 'message:LabelSelector'], 3: ['template', 'message:PodTemplateSpec'], 4: ['strategy', 'message:DeploymentStrategy'], 5: ['minReadySeconds', 'int32'], 6: ['revisionHistoryLimit', 'int32', 'keep'], 7: ['paused', 'bool'], 9: ['progressDeadlineSeconds', 'int32', 'keep'] },
  DeploymentStatus: { 1: ['observedGeneration', 'int64'], 2: ['replicas', 'int32'], 3: ['updatedReplicas', 'int32'], 4: ['availableReplicas', 'int32'], 5: ['unavailableReplicas', 'int32'], 6: ['conditions', 'message:DeploymentCondition[]'], 7: ['readyReplicas', 'int32'], 8: ['collisionCount', 'int32', 'keep'], 9: ['terminatingReplicas', 'int32', 'keep'] },
  DeploymentStrategy: { 1: ['type', 'string'], 2: ['rollingUpdate', 'message:RollingUpdateDeployment'] },
  ReplicaSet: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:ReplicaSetSpec'], 3: ['status', 'message:ReplicaSetStatus'] },
  ReplicaSetCondition: { 1: ['type', 'string', 'keep'], 2: ['status', 'string', 'keep'], 3: ['lastTransitionTime', 'time'], 4: ['reason', 'string'], 5: ['message', 'string'] },
  ReplicaSetSpec: { 1: ['replicas', 'int32', 'keep'], 2: ['selector', 'message:LabelSelector'], 3: ['template', 'message:PodTemplateSpec'], 4: ['minReadySeconds', 'int32'] },
  ReplicaSetStatus: { 1: ['replicas', 'int32', 'keep'], 2: ['fullyLabeledReplicas', 'int32'], 3: ['observedGeneration', 'int64'], 4: ['readyReplicas', 'int32'], 5: ['availableReplicas', 'int32'], 6: ['conditions', 'message:ReplicaSetCondition[]'], 7: ['terminatingReplicas', 'int32', 'keep'] },
  RollingUpdateDaemonSet: { 1: ['maxUnavailable', 'intOrString'], 2: ['maxSurge', 'intOrString'] },
  RollingUpdateDeployment: { 1: ['maxUnavailable', 'intOrString'], 2: ['maxSurge', 'intOrString'] },
  RollingUpdateStatefulSetStrategy: { 1: ['partition', 'int32', 'keep'], 2: ['maxUnavailable', 'intOrString'] },
  StatefulSet: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:StatefulSetSpec'], 3: ['status', 'message:StatefulSetStatus'] },
  StatefulSetCondition: { 1: ['type', 'string', 'keep'], 2: ['status', 'string', 'keep'], 3: ['lastTransitionTime', 'time'], 4: ['reason', 'string'], 5: ['message', 'string'] },
  StatefulSetOrdinals: { 1: ['start', 'int32', 'keep'] },
  StatefulSetPersistentVolumeClaimRetentionPolicy: { 1: ['whenDeleted', 'string'], 2: ['whenScaled', 'string'] },
  StatefulSetSpec: { 1: ['replicas', 'int32', 'keep'], 2: ['selector', 'message:LabelSelector'], 3: ['template', 'message:PodTemplateSpec'], 4: ['volumeClaimTemplates', 'message:PersistentVolumeClaim[]'], 5: ['serviceName', 'string', 'keep'], 6: ['podManagementPolicy', 'string'], 7: ['updateStrategy', 'message:StatefulSetUpdateStrategy'], 8: ['revisionHistoryLimit', 'int32', 'keep'], 9: ['minReadySeconds', 'int32'], 10: ['persistentVolumeClaimRetentionPolicy', 'message:StatefulSetPersistentVolumeClaimRetentionPolicy'], 11: ['ordinals', 'message:StatefulSetOrdinals'] },
  StatefulSetStatus: { 1: ['observedGeneration', 'int64'], 2: ['replicas', 'int32', 'keep'], 3: ['readyReplicas', 'int32'], 4: ['currentReplicas', 'int32'], 5: ['updatedReplicas', 'int32'], 6: ['currentRevision', 'string'], 7: ['updateRevision', 'string'], 9: ['collisionCount', 'int32', 'keep'], 10: ['conditions', 'message:StatefulSetCondition[]'], 11: ['availableReplicas', 'int32', 'keep'] },
  StatefulSetUpdateStrategy: { 1: ['type', 'string'], 2: ['rollingUpdate', 'message:RollingUpdateStatefulSetStrategy'] },

  // k8s.io.apimachinery.pkg.apis.meta.v1
  Condition: { 1: ['type', 'string', 'keep'], 2: ['status', 'string', 'keep'], 3: ['observedGeneration', 'int64'], 4: ['lastTransitionTime', 'time'], 5: ['reason', 'string', 'keep'], 6: ['message', 'string', 'keep'] },
  DeleteOptions: { 1: ['gracePeriodSeconds', 'int64', 'keep'], 2: ['preconditions', 'message:Preconditions'], 3: ['orphanDependents', 'bool', 'keep'], 4: ['propagationPolicy', 'string', 'keep'], 5: ['dryRun', 'string[]'], 6: ['ignoreStoreReadErrorWithClusterBreakingPotential', 'bool', 'keep'] },
  FieldSelectorRequirement: { 1: ['key', 'string', 'keep'], 2: ['operator', 'string', 'keep'], 3: ['values', 'string[]'] },
  LabelSelector: { 1: ['matchLabels', 'map<string,string>'], 2: ['matchExpressions', 'message:LabelSelectorRequirement[]'] },
  LabelSelectorRequirement: { 1: ['key', 'string', 'keep'], 2: ['operator', 'string', 'keep'], 3: ['values', 'string[]'] },
  ManagedFieldsEntry: { 1: ['manager', 'string'], 2: ['operation', 'string'], 3: ['apiVersion', 'string'], 4: ['time', 'time'], 6: ['fieldsType', 'string'], 7: ['fieldsV1', 'fieldsV1'], 8: ['subresource', 'string'] },
  ObjectMeta: { 1: ['name', 'string'], 2: ['generateName', 'string'], 3: ['namespace', 'string'], 4: ['selfLink', 'string'], 5: ['uid', 'string'], 6: ['resourceVersion', 'string'], 7: ['generation', 'int64'], 8: ['creationTimestamp', 'time'], 9: ['deletionTimestamp', 'time'], 10: ['deletionGracePeriodSeconds', 'int64', 'keep'], 11: ['labels', 'map<string,string>'], 12: ['annotations', 'map<string,string>'], 13: ['ownerReferences', 'message:OwnerReference[]'], 14: ['finalizers', 'string[]'], 17: ['managedFields', 'message:ManagedFieldsEntry[]'] },
  OwnerReference: { 1: ['kind', 'string', 'keep'], 3: ['name', 'string', 'keep'], 4: ['uid', 'string', 'keep'], 5: ['apiVersion', 'string', 'keep'], 6: ['controller', 'bool', 'keep'], 7: ['blockOwnerDeletion', 'bool', 'keep'] },
  Preconditions: { 1: ['uid', 'string', 'keep'], 2: ['resourceVersion', 'string', 'keep'] },

  // k8s.io.api.core.v1
  Affinity: { 1: ['nodeAffinity', 'message:NodeAffinity'], 2: ['podAffinity', 'message:PodAffinity'], 3: ['podAntiAffinity', 'message:PodAntiAffinity'] },
  AppArmorProfile: { 1: ['type', 'string', 'keep'], 2: ['localhostProfile', 'string', 'keep'] },
  AttachedVolume: { 1: ['name', 'string', 'keep'], 2: ['devicePath', 'string', 'keep'] },
  AWSElasticBlockStoreVolumeSource: { 1: ['volumeID', 'string', 'keep'], 2: ['fsType', 'string'], 3: ['partition', 'int32'], 4: ['readOnly', 'bool'] },
  AzureDiskVolumeSource: { 1: ['diskName', 'string', 'keep'], 2: ['diskURI', 'string', 'keep'], 3: ['cachingMode', 'string', 'keep'], 4: ['fsType', 'string', 'keep'], 5: ['readOnly', 'bool', 'keep'], 6: ['kind', 'string', 'keep'] },
  AzureFileVolumeSource: { 1: ['secretName', 'string', 'keep'], 2: ['shareName', 'string', 'keep'], 3: ['readOnly', 'bool'] },
  Binding: { 1: ['metadata', 'message:ObjectMeta'], 2: ['target', 'message:ObjectReference'] },
  Capabilities: { 1: ['add', 'string[]'], 2: ['drop', 'string[]'] },
  CephFSVolumeSource: { 1: ['monitors', 'string[]'], 2: ['path', 'string'], 3: ['user', 'string'], 4: ['secretFile', 'string'], 5: ['secretRef', 'message:LocalObjectReference'], 6: ['readOnly', 'bool'] },
  CinderVolumeSource: { 1: ['volumeID', 'string', 'keep'], 2: ['fsType', 'string'], 3: ['readOnly', 'bool'], 4: ['secretRef', 'message:LocalObjectReference'] },
  ClientIPConfig: { 1: ['timeoutSeconds', 'int32', 'keep'] },
  ClusterTrustBundleProjection: { 1: ['name', 'string', 'keep'], 2: ['signerName', 'string', 'keep'], 3: ['labelSelector', 'message:LabelSelector'], 4: ['path', 'string', 'keep'], 5: ['optional', 'bool', 'keep'] },
  ConfigMap: { 1: ['metadata', 'message:ObjectMeta'], 2: ['data', 'map<string,string>'], 3: ['binaryData', 'map<string,bytes>'], 4: ['immutable', 'bool', 'keep'] },
  ConfigMapEnvSource: { 1: ['localObjectReference', 'message:LocalObjectReference', 'inline'], 2: ['optional', 'bool', 'keep'] },
  ConfigMapKeySelector: { 1: ['localObjectReference', 'message:LocalObjectReference', 'inline'], 2: ['key', 'string', 'keep'], 3: ['optional', 'bool', 'keep'] },
  ConfigMapNodeConfigSource: { 1: ['namespace', 'string', 'keep'], 2: ['name', 'string', 'keep'], 3: ['uid', 'string'], 4: ['resourceVersion', 'string'], 5: ['kubeletConfigKey', 'string', 'keep'] },
  ConfigMapProjection: { 1: ['localObjectReference', 'message:LocalObjectReference', 'inline'], 2: ['items', 'message:KeyToPath[]'], 4: ['optional', 'bool', 'keep'] },
  ConfigMapVolumeSource: { 1: ['localObjectReference', 'message:LocalObjectReference', 'inline'], 2: ['items', 'message:KeyToPath[]'], 3: ['defaultMode', 'int32', 'keep'], 4: ['optional', 'bool', 'keep'] },
  Container: { 1: ['name', 'string', 'keep'], 2: ['image', 'string'], 3: ['command', 'string[]'], 4: ['args', 'string[]'], 5: ['workingDir', 'string'], 6: ['ports', 'message:ContainerPort[]'], 7: ['env', 'message:EnvVar[]'], 8: ['resources', 'message:ResourceRequirements'], 9: ['volumeMounts', 'message:VolumeMount[]'], 10: ['livenessProbe', 'message:Probe'], 11: ['readinessProbe', 'message:Probe'], 12: ['lifecycle', 'message:Lifecycle'], 13: ['terminationMessagePath', 'string'], 14: ['imagePullPolicy', 'string'], 15: ['securityContext', 'message:SecurityContext'], 16: ['stdin', 'bool'], 17: ['stdinOnce', 'bool'], 18: ['tty', 'bool'], 19: ['envFrom', 'message:EnvFromSource[]'], 20: ['terminationMessagePolicy', 'string'], 21: ['volumeDevices', 'message:VolumeDevice[]'], 22: ['startupProbe', 'message:Probe'], 23: ['resizePolicy', 'message:ContainerResizePolicy[]'], 24: ['restartPolicy', 'string', 'keep'], 25: ['restartPolicyRules', 'message:ContainerRestartRule[]'] },
  ContainerExtendedResourceRequest: { 1: ['containerName', 'string', 'keep'], 2: ['resourceName', 'string', 'keep'], 3: ['requestName', 'string', 'keep'] },
  ContainerImage: { 1: ['names', 'string[]'], 2: ['sizeBytes', 'int64'] },
  ContainerPort: { 1: ['name', 'string'], 2: ['hostPort', 'int32'], 3: ['containerPort', 'int32', 'keep'], 4: ['protocol', 'string'], 5: ['hostIP', 'string'] },
  ContainerResizePolicy: { 1: ['resourceName', 'string', 'keep'], 2: ['restartPolicy', 'string', 'keep'] },
  ContainerRestartRule: { 1: ['action', 'string'], 2: ['exitCodes', 'message:ContainerRestartRuleOnExitCodes'] },
  ContainerRestartRuleOnExitCodes: { 1: ['operator', 'string'], 2: ['values', 'int32[]'] },
  ContainerState: { 1: ['waiting', 'message:ContainerStateWaiting'], 2: ['running', 'message:ContainerStateRunning'], 3: ['terminated', 'message:ContainerStateTerminated'] },
  ContainerStateRunning: { 1: ['startedAt', 'time'] },
  ContainerStateTerminated: { 1: ['exitCode', 'int32', 'keep'], 2: ['signal', 'int32'], 3: ['reason', 'string'], 4: ['message', 'string'], 5: ['startedAt', 'time'], 6: ['finishedAt', 'time'], 7: ['containerID', 'string'] },
  ContainerStateWaiting: { 1: ['reason', 'string'], 2: ['message', 'string'] },
  ContainerStatus: { 1: ['name', 'string', 'keep'], 2: ['state', 'message:ContainerState'], 3: ['lastState', 'message:ContainerState'], 4: ['ready', 'bool', 'keep'], 5: ['restartCount', 'int32', 'keep'], 6: ['image', 'string', 'keep'], 7: ['imageID', 'string', 'keep'], 8: ['containerID', 'string'], 9: ['started', 'bool', 'keep'], 10: ['allocatedResources', 'map<string,quantity>'], 11: ['resources', 'message:ResourceRequirements'], 12: ['volumeMounts', 'message:VolumeMountStatus[]'], 13: ['user', 'message:ContainerUser'], 14: ['allocatedResourcesStatus', 'message:ResourceStatus[]'], 15: ['stopSignal', 'string', 'keep'] },
  ContainerUser: { 1: ['linux', 'message:LinuxContainerUser'] },
  CSIVolumeSource: { 1: ['driver', 'string', 'keep'], 2: ['readOnly', 'bool', 'keep'], 3: ['fsType', 'string', 'keep'], 4: ['volumeAttributes', 'map<string,string>'], 5: ['nodePublishSecretRef', 'message:LocalObjectReference'] },
  DaemonEndpoint: { 1: ['Port', 'int32', 'keep'] },
  DownwardAPIProjection: { 1: ['items', 'message:DownwardAPIVolumeFile[]'] },
  DownwardAPIVolumeFile: { 1: ['path', 'string', 'keep'], 2: ['fieldRef', 'message:ObjectFieldSelector'], 3: ['resourceFieldRef', 'message:ResourceFieldSelector'], 4: ['mode', 'int32', 'keep'] },
  DownwardAPIVolumeSource: { 1: ['items', 'message:DownwardAPIVolumeFile[]'], 2: ['defaultMode', 'int32', 'keep'] },
  EmptyDirVolumeSource: { 1: ['medium', 'string'], 2: ['sizeLimit', 'quantity'] },
  EnvFromSource: { 1: ['prefix', 'string'], 2: ['configMapRef', 'message:ConfigMapEnvSource'], 3: ['secretRef', 'message:SecretEnvSource'] },
  EnvVar: { 1: ['name', 'string', 'keep'], 2: ['value', 'string'], 3: ['valueFrom', 'message:EnvVarSource'] },
  EnvVarSource: { 1: ['fieldRef', 'message:ObjectFieldSelector'], 2: ['resourceFieldRef', 'message:ResourceFieldSelector'], 3: ['configMapKeyRef', 'message:ConfigMapKeySelector'], 4: ['secretKeyRef', 'message:SecretKeySelector'], 5: ['fileKeyRef', 'message:FileKeySelector'] },
  EphemeralContainer: { 1: ['ephemeralContainerCommon', 'message:EphemeralContainerCommon', 'inline'], 2: ['targetContainerName', 'string'] },
  EphemeralContainerCommon: { 1: ['name', 'string', 'keep'], 2: ['image', 'string'], 3: ['command', 'string[]'], 4: ['args', 'string[]'], 5: ['workingDir', 'string'], 6: ['ports', 'message:ContainerPort[]'], 7: ['env', 'message:EnvVar[]'], 8: ['resources', 'message:ResourceRequirements'], 9: ['volumeMounts', 'message:VolumeMount[]'], 10: ['livenessProbe', 'message:Probe'], 11: ['readinessProbe', 'message:Probe'], 12: ['lifecycle', 'message:Lifecycle'], 13: ['terminationMessagePath', 'string'], 14: ['imagePullPolicy', 'string'], 15: ['securityContext', 'message:SecurityContext'], 16: ['stdin', 'bool'], 17: ['stdinOnce', 'bool'], 18: ['tty', 'bool'], 19: ['envFrom', 'message:EnvFromSource[]'], 20: ['terminationMessagePolicy', 'string'], 21: ['volumeDevices', 'message:VolumeDevice[]'], 22: ['startupProbe', 'message:Probe'], 23: ['resizePolicy', 'message:ContainerResizePolicy[]'], 24: ['restartPolicy', 'string', 'keep'], 25: ['restartPolicyRules', 'message:ContainerRestartRule[]'] },
  EphemeralVolumeSource: { 1: ['volumeClaimTemplate', 'message:PersistentVolumeClaimTemplate'] },
  Event: { 1: ['metadata', 'message:ObjectMeta'], 2: ['involvedObject', 'message:ObjectReference'], 3: ['reason', 'string'], 4: ['message', 'string'], 5: ['source', 'message:EventSource'], 6: ['firstTimestamp', 'time'], 7: ['lastTimestamp', 'time'], 8: ['count', 'int32'], 9: ['type', 'string'], 10: ['eventTime', 'microTime'], 11: ['series', 'message:EventSeries'], 12: ['action', 'string'], 13: ['related', 'message:ObjectReference'], 14: ['reportingComponent', 'string', 'keep'], 15: ['reportingInstance', 'string', 'keep'] },
  EventSeries: { 1: ['count', 'int32'], 2: ['lastObservedTime', 'microTime'] },
  EventSource: { 1: ['component', 'string'], 2: ['host', 'string'] },
  ExecAction: { 1: ['command', 'string[]'] },
  FCVolumeSource: { 1: ['targetWWNs', 'string[]'], 2: ['lun', 'int32', 'keep'], 3: ['fsType', 'string'], 4: ['readOnly', 'bool'], 5: ['wwids', 'string[]'] },
  FileKeySelector: { 1: ['volumeName', 'string', 'keep'], 2: ['path', 'string', 'keep'], 3: ['key', 'string', 'keep'], 4: ['optional', 'bool', 'keep'] },
  FlexVolumeSource: { 1: ['driver', 'string', 'keep'], 2: ['fsType', 'string'], 3: ['secretRef', 'message:LocalObjectReference'], 4: ['readOnly', 'bool'], 5: ['options', 'map<string,string>'] },
  FlockerVolumeSource: { 1: ['datasetName', 'string'], 2: ['datasetUUID', 'string'] },
  GCEPersistentDiskVolumeSource: { 1: ['pdName', 'string', 'keep'], 2: ['fsType', 'string'], 3: ['partition', 'int32'], 4: ['readOnly', 'bool'] },
  GitRepoVolumeSource: { 1: ['repository', 'string', 'keep'], 2: ['revision', 'string'], 3: ['directory', 'string'] },
  GlusterfsVolumeSource: { 1: ['endpoints', 'string', 'keep'], 2: ['path', 'string', 'keep'], 3: ['readOnly', 'bool'] },
  GRPCAction: { 1: ['port', 'int32', 'keep'], 2: ['service', 'string', 'keep'] },
  HostAlias: { 1: ['ip', 'string', 'keep'], 2: ['hostnames', 'string[]'] },
  HostIP: { 1: ['ip', 'string', 'keep'] },
  HostPathVolumeSource: { 1: ['path', 'string', 'keep'], 2: ['type', 'string', 'keep'] },
  HTTPGetAction: { 1: ['path', 'string'], 2: ['port', 'intOrString'], 3: ['host', 'string'], 4: ['scheme', 'string'], 5: ['httpHeaders', 'message:HTTPHeader[]'] },
  HTTPHeader: { 1: ['name', 'string', 'keep'], 2: ['value', 'string', 'keep'] },
  ImageVolumeSource: { 1: ['reference', 'string'], 2: ['pullPolicy', 'string'] },
  ISCSIVolumeSource: { 1: ['targetPortal', 'string', 'keep'], 2: ['iqn', 'string', 'keep'], 3: ['lun', 'int32', 'keep'], 4: ['iscsiInterface', 'string'], 5: ['fsType', 'string'], 6: ['readOnly', 'bool'], 7: ['portals', 'string[]'], 8: ['chapAuthDiscovery', 'bool'], 10: ['secretRef', 'message:LocalObjectReference'], 11: ['chapAuthSession', 'bool'], 12: ['initiatorName', 'string', 'keep'] },
  KeyToPath: { 1: ['key', 'string', 'keep'], 2: ['path', 'string', 'keep'], 3: ['mode', 'int32', 'keep'] },
  Lifecycle: { 1: ['postStart', 'message:LifecycleHandler'], 2: ['preStop', 'message:LifecycleHandler'], 3: ['stopSignal', 'string', 'keep'] },
  LifecycleHandler: { 1: ['exec', 'message:ExecAction'], 2: ['httpGet', 'message:HTTPGetAction'], 3: ['tcpSocket', 'message:TCPSocketAction'], 4: ['sleep', 'message:SleepAction'] },
  LimitRange: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:LimitRangeSpec'] },
  LimitRangeItem: { 1: ['type', 'string', 'keep'], 2: ['max', 'map<string,quantity>'], 3: ['min', 'map<string,quantity>'], 4: ['default', 'map<string,quantity>'], 5: ['defaultRequest', 'map<string,quantity>'], 6: ['maxLimitRequestRatio', 'map<string,quantity>'] },
  LimitRangeSpec: { 1: ['limits', 'message:LimitRangeItem[]'] },
  LinuxContainerUser: { 1: ['uid', 'int64', 'keep'], 2: ['gid', 'int64', 'keep'], 3: ['supplementalGroups', 'int64[]'] },
  LoadBalancerIngress: { 1: ['ip', 'string'], 2: ['hostname', 'string'], 3: ['ipMode', 'string', 'keep'], 4: ['ports', 'message:PortStatus[]'] },
  LoadBalancerStatus: { 1: ['ingress', 'message:LoadBalancerIngress[]'] },
  LocalObjectReference: { 1: ['name', 'string'] },
  ModifyVolumeStatus: { 1: ['targetVolumeAttributesClassName', 'string'], 2: ['status', 'string', 'keep'] },
  Namespace: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:NamespaceSpec'], 3: ['status', 'message:NamespaceStatus'] },
  NamespaceCondition: { 1: ['type', 'string', 'keep'], 2: ['status', 'string', 'keep'], 4: ['lastTransitionTime', 'time'], 5: ['reason', 'string'], 6: ['message', 'string'] },
  NamespaceSpec: { 1: ['finalizers', 'string[]'] },
  NamespaceStatus: { 1: ['phase', 'string'], 2: ['conditions', 'message:NamespaceCondition[]'] },
  NFSVolumeSource: { 1: ['server', 'string', 'keep'], 2: ['path', 'string', 'keep'], 3: ['readOnly', 'bool'] },
  Node: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:NodeSpec'], 3: ['status', 'message:NodeStatus'] },
  NodeAddress: { 1: ['type', 'string', 'keep'], 2: ['address', 'string', 'keep'] },
  NodeAffinity: { 1: ['requiredDuringSchedulingIgnoredDuringExecution', 'message:NodeSelector'], 2: ['preferredDuringSchedulingIgnoredDuringExecution', 'message:PreferredSchedulingTerm[]'] },
  NodeCondition: { 1: ['type', 'string', 'keep'], 2: ['status', 'string', 'keep'], 3: ['lastHeartbeatTime', 'time'], 4: ['lastTransitionTime', 'time'], 5: ['reason', 'string'], 6: ['message', 'string'] },
  NodeConfigSource: { 2: ['configMap', 'message:ConfigMapNodeConfigSource'] },
  NodeConfigStatus: { 1: ['assigned', 'message:NodeConfigSource'], 2: ['active', 'message:NodeConfigSource'], 3: ['lastKnownGood', 'message:NodeConfigSource'], 4: ['error', 'string'] },
  NodeDaemonEndpoints: { 1: ['kubeletEndpoint', 'message:DaemonEndpoint'] },
  NodeFeatures: { 1: ['supplementalGroupsPolicy', 'bool', 'keep'] },
  NodeRuntimeHandler: { 1: ['name', 'string', 'keep'], 2: ['features', 'message:NodeRuntimeHandlerFeatures'] },
  NodeRuntimeHandlerFeatures: { 1: ['recursiveReadOnlyMounts', 'bool', 'keep'], 2: ['userNamespaces', 'bool', 'keep'] },
  NodeSelector: { 1: ['nodeSelectorTerms', 'message:NodeSelectorTerm[]'] },
  NodeSelectorRequirement: { 1: ['key', 'string', 'keep'], 2: ['operator', 'string', 'keep'], 3: ['values', 'string[]'] },
  NodeSelectorTerm: { 1: ['matchExpressions', 'message:NodeSelectorRequirement[]'], 2: ['matchFields', 'message:NodeSelectorRequirement[]'] },
  NodeSpec: { 1: ['podCIDR', 'string'], 2: ['externalID', 'string'], 3: ['providerID', 'string'], 4: ['unschedulable', 'bool'], 5: ['taints', 'message:Taint[]'], 6: ['configSource', 'message:NodeConfigSource'], 7: ['podCIDRs', 'string[]'] },
  NodeStatus: { 1: ['capacity', 'map<string,quantity>'], 2: ['allocatable', 'map<string,quantity>'], 3: ['phase', 'string'], 4: ['conditions', 'message:NodeCondition[]'], 5: ['addresses', 'message:NodeAddress[]'], 6: ['daemonEndpoints', 'message:NodeDaemonEndpoints'], 7: ['nodeInfo', 'message:NodeSystemInfo'], 8: ['images', 'message:ContainerImage[]'], 9: ['volumesInUse', 'string[]'], 10: ['volumesAttached', 'message:AttachedVolume[]'], 11: ['config', 'message:NodeConfigStatus'], 12: ['runtimeHandlers', 'message:NodeRuntimeHandler[]'], 13: ['features', 'message:NodeFeatures'], 14: ['declaredFeatures', 'string[]'] },
  NodeSwapStatus: { 1: ['capacity', 'int64', 'keep'] },
  NodeSystemInfo: { 1: ['machineID', 'string', 'keep'], 2: ['systemUUID', 'string', 'keep'], 3: ['bootID', 'string', 'keep'], 4: ['kernelVersion', 'string', 'keep'], 5: ['osImage', 'string', 'keep'], 6: ['containerRuntimeVersion', 'string', 'keep'], 7: ['kubeletVersion', 'string', 'keep'], 8: ['kubeProxyVersion', 'string', 'keep'], 9: ['operatingSystem', 'string', 'keep'], 10: ['architecture', 'string', 'keep'], 11: ['swap', 'message:NodeSwapStatus'] },
  ObjectFieldSelector: { 1: ['apiVersion', 'string'], 2: ['fieldPath', 'string', 'keep'] },
  ObjectReference: { 1: ['kind', 'string'], 2: ['namespace', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'], 6: ['resourceVersion', 'string'], 7: ['fieldPath', 'string'] },
  PersistentVolumeClaim: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:PersistentVolumeClaimSpec'], 3: ['status', 'message:PersistentVolumeClaimStatus'] },
  PersistentVolumeClaimCondition: { 1: ['type', 'string', 'keep'], 2: ['status', 'string', 'keep'], 3: ['lastProbeTime', 'time'], 4: ['lastTransitionTime', 'time'], 5: ['reason', 'string'], 6: ['message', 'string'] },
  PersistentVolumeClaimSpec: { 1: ['accessModes', 'string[]'], 2: ['resources', 'message:VolumeResourceRequirements'], 3: ['volumeName', 'string'], 4: ['selector', 'message:LabelSelector'], 5: ['storageClassName', 'string', 'keep'], 6: ['volumeMode', 'string', 'keep'], 7: ['dataSource', 'message:TypedLocalObjectReference'], 8: ['dataSourceRef', 'message:TypedObjectReference'], 9: ['volumeAttributesClassName', 'string', 'keep'] },
  PersistentVolumeClaimStatus: { 1: ['phase', 'string'], 2: ['accessModes', 'string[]'], 3: ['capacity', 'map<string,quantity>'], 4: ['conditions', 'message:PersistentVolumeClaimCondition[]'], 5: ['allocatedResources', 'map<string,quantity>'], 7: ['allocatedResourceStatuses', 'map<string,string>'], 8: ['currentVolumeAttributesClassName', 'string', 'keep'], 9: ['modifyVolumeStatus', 'message:ModifyVolumeStatus'] },
  PersistentVolumeClaimTemplate: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:PersistentVolumeClaimSpec'] },
  PersistentVolumeClaimVolumeSource: { 1: ['claimName', 'string', 'keep'], 2: ['readOnly', 'bool'] },
  PhotonPersistentDiskVolumeSource: { 1: ['pdID', 'string', 'keep'], 2: ['fsType', 'string'] },
  Pod: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:PodSpec'], 3: ['status', 'message:PodStatus'] },
  PodAffinity: { 1: ['requiredDuringSchedulingIgnoredDuringExecution', 'message:PodAffinityTerm[]'], 2: ['preferredDuringSchedulingIgnoredDuringExecution', 'message:WeightedPodAffinityTerm[]'] },
  PodAffinityTerm: { 1: ['labelSelector', 'message:LabelSelector'], 2: ['namespaces', 'string[]'], 3: ['topologyKey', 'string', 'keep'], 4: ['namespaceSelector', 'message:LabelSelector'], 5: ['matchLabelKeys', 'string[]'], 6: ['mismatchLabelKeys', 'string[]'] },
  PodAntiAffinity: { 1: ['requiredDuringSchedulingIgnoredDuringExecution', 'message:PodAffinityTerm[]'], 2: ['preferredDuringSchedulingIgnoredDuringExecution', 'message:WeightedPodAffinityTerm[]'] },
  PodCertificateProjection: { 1: ['signerName', 'string'], 2: ['keyType', 'string'], 3: ['maxExpirationSeconds', 'int32', 'keep'], 4: ['credentialBundlePath', 'string'], 5: ['keyPath', 'string'], 6: ['certificateChainPath', 'string'], 7: ['userAnnotations', 'map<string,string>'] },
  PodCondition: { 1: ['type', 'string', 'keep'], 2: ['status', 'string', 'keep'], 3: ['lastProbeTime', 'time'], 4: ['lastTransitionTime', 'time'], 5: ['reason', 'string'], 6: ['message', 'string'], 7: ['observedGeneration', 'int64'] },
  PodDNSConfig: { 1: ['nameservers', 'string[]'], 2: ['searches', 'string[]'], 3: ['options', 'message:PodDNSConfigOption[]'] },
  PodDNSConfigOption: { 1: ['name', 'string'], 2: ['value', 'string', 'keep'] },
  PodExtendedResourceClaimStatus: { 1: ['requestMappings', 'message:ContainerExtendedResourceRequest[]'], 2: ['resourceClaimName', 'string', 'keep'] },
  PodIP: { 1: ['ip', 'string', 'keep'] },
  PodOS: { 1: ['name', 'string', 'keep'] },
  PodReadinessGate: { 1: ['conditionType', 'string', 'keep'] },
  PodResourceClaim: { 1: ['name', 'string', 'keep'], 3: ['resourceClaimName', 'string', 'keep'], 4: ['resourceClaimTemplateName', 'string', 'keep'] },
  PodResourceClaimStatus: { 1: ['name', 'string', 'keep'], 2: ['resourceClaimName', 'string', 'keep'] },
  PodSchedulingGate: { 1: ['name', 'string', 'keep'] },
  PodSecurityContext: { 1: ['seLinuxOptions', 'message:SELinuxOptions'], 2: ['runAsUser', 'int64', 'keep'], 3: ['runAsNonRoot', 'bool', 'keep'], 4: ['supplementalGroups', 'int64[]'], 5: ['fsGroup', 'int64', 'keep'], 6: ['runAsGroup', 'int64', 'keep'], 7: ['sysctls', 'message:Sysctl[]'], 8: ['windowsOptions', 'message:WindowsSecurityContextOptions'], 9: ['fsGroupChangePolicy', 'string', 'keep'], 10: ['seccompProfile', 'message:SeccompProfile'], 11: ['appArmorProfile', 'message:AppArmorProfile'], 12: ['supplementalGroupsPolicy', 'string', 'keep'], 13: ['seLinuxChangePolicy', 'string', 'keep'] },
  PodSpec: { 1: ['volumes', 'message:Volume[]'], 2: ['containers', 'message:Container[]'], 3: ['restartPolicy', 'string'], 4: ['terminationGracePeriodSeconds', 'int64', 'keep'], 5: ['activeDeadlineSeconds', 'int64', 'keep'], 6: ['dnsPolicy', 'string'], 7: ['nodeSelector', 'map<string,string>'], 8: ['serviceAccountName', 'string'], 9: ['serviceAccount', 'string'], 10: ['nodeName', 'string'], 11: ['hostNetwork', 'bool'], 12: ['hostPID', 'bool'], 13: ['hostIPC', 'bool'], 14: ['securityContext', 'message:PodSecurityContext'], 15: ['imagePullSecrets', 'message:LocalObjectReference[]'], 16: ['hostname', 'string'], 17: ['subdomain', 'string'], 18: ['affinity', 'message:Affinity'], 19: ['schedulerName', 'string'], 20: ['initContainers', 'message:Container[]'], 21: ['automountServiceAccountToken', 'bool', 'keep'], 22: ['tolerations', 'message:Toleration[]'], 23: ['hostAliases', 'message:HostAlias[]'], 24: ['priorityClassName', 'string'], 25: ['priority', 'int32', 'keep'], 26: ['dnsConfig', 'message:PodDNSConfig'], 27: ['shareProcessNamespace', 'bool', 'keep'], 28: ['readinessGates', 'message:PodReadinessGate[]'], 29: ['runtimeClassName', 'string', 'keep'], 30: ['enableServiceLinks', 'bool', 'keep'], 31: ['preemptionPolicy', 'string', 'keep'], 32: ['overhead', 'map<string,quantity>'], 33: ['topologySpreadConstraints', 'message:TopologySpreadConstraint[]'], 34: ['ephemeralContainers', 'message:EphemeralContainer[]'], 35: ['setHostnameAsFQDN', 'bool', 'keep'], 36: ['os', 'message:PodOS'], 37: ['hostUsers', 'bool', 'keep'], 38: ['schedulingGates', 'message:PodSchedulingGate[]'], 39: ['resourceClaims', 'message:PodResourceClaim[]'], 40: ['resources', 'message:ResourceRequirements'], 41: ['hostnameOverride', 'string', 'keep'], 42: ['workloadRef', 'message:WorkloadReference'] },
  PodStatus: { 1: ['phase', 'string'], 2: ['conditions', 'message:PodCondition[]'], 3: ['message', 'string'], 4: ['reason', 'string'], 5: ['hostIP', 'string'], 6: ['podIP', 'string'], 7: ['startTime', 'time'], 8: ['containerStatuses', 'message:ContainerStatus[]'], 9: ['qosClass', 'string'], 10: ['initContainerStatuses', 'message:ContainerStatus[]'], 11: ['nominatedNodeName', 'string'], 12: ['podIPs', 'message:PodIP[]'], 13: ['ephemeralContainerStatuses', 'message:ContainerStatus[]'], 14: ['resize', 'string'], 15: ['resourceClaimStatuses', 'message:PodResourceClaimStatus[]'], 16: ['hostIPs', 'message:HostIP[]'], 17: ['observedGeneration', 'int64'], 18: ['extendedResourceClaimStatus', 'message:PodExtendedResourceClaimStatus'], 19: ['allocatedResources', 'map<string,quantity>'], 20: ['resources', 'message:ResourceRequirements'] },
  PodTemplate: { 1: ['metadata', 'message:ObjectMeta'], 2: ['template', 'message:PodTemplateSpec'] },
  PodTemplateSpec: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:PodSpec'] },
  PortStatus: { 1: ['port', 'int32', 'keep'], 2: ['protocol', 'string', 'keep'], 3: ['error', 'string', 'keep'] },
  PortworxVolumeSource: { 1: ['volumeID', 'string', 'keep'], 2: ['fsType', 'string'], 3: ['readOnly', 'bool'] },
  PreferredSchedulingTerm: { 1: ['weight', 'int32', 'keep'], 2: ['preference', 'message:NodeSelectorTerm'] },
  Probe: { 1: ['handler', 'message:ProbeHandler', 'inline'], 2: ['initialDelaySeconds', 'int32'], 3: ['timeoutSeconds', 'int32'], 4: ['periodSeconds', 'int32'], 5: ['successThreshold', 'int32'], 6: ['failureThreshold', 'int32'], 7: ['terminationGracePeriodSeconds', 'int64', 'keep'] },
  ProbeHandler: { 1: ['exec', 'message:ExecAction'], 2: ['httpGet', 'message:HTTPGetAction'], 3: ['tcpSocket', 'message:TCPSocketAction'], 4: ['grpc', 'message:GRPCAction'] },
  ProjectedVolumeSource: { 1: ['sources', 'message:VolumeProjection[]'], 2: ['defaultMode', 'int32', 'keep'] },
  QuobyteVolumeSource: { 1: ['registry', 'string', 'keep'], 2: ['volume', 'string', 'keep'], 3: ['readOnly', 'bool'], 4: ['user', 'string'], 5: ['group', 'string'], 6: ['tenant', 'string'] },
  RBDVolumeSource: { 1: ['monitors', 'string[]'], 2: ['image', 'string', 'keep'], 3: ['fsType', 'string'], 4: ['pool', 'string'], 5: ['user', 'string'], 6: ['keyring', 'string'], 7: ['secretRef', 'message:LocalObjectReference'], 8: ['readOnly', 'bool'] },
  ReplicationController: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:ReplicationControllerSpec'], 3: ['status', 'message:ReplicationControllerStatus'] },
  ReplicationControllerCondition: { 1: ['type', 'string', 'keep'], 2: ['status', 'string', 'keep'], 3: ['lastTransitionTime', 'time'], 4: ['reason', 'string'], 5: ['message', 'string'] },
  ReplicationControllerSpec: { 1: ['replicas', 'int32', 'keep'], 2: ['selector', 'map<string,string>'], 3: ['template', 'message:PodTemplateSpec'], 4: ['minReadySeconds', 'int32'] },
  ReplicationControllerStatus: { 1: ['replicas', 'int32', 'keep'], 2: ['fullyLabeledReplicas', 'int32'], 3: ['observedGeneration', 'int64'], 4: ['readyReplicas', 'int32'], 5: ['availableReplicas', 'int32'], 6: ['conditions', 'message:ReplicationControllerCondition[]'] },
  ResourceClaim: { 1: ['name', 'string', 'keep'], 2: ['request', 'string'] },
  ResourceFieldSelector: { 1: ['containerName', 'string'], 2: ['resource', 'string', 'keep'], 3: ['divisor', 'quantity'] },
  ResourceHealth: { 1: ['resourceID', 'string', 'keep'], 2: ['health', 'string'] },
  ResourceQuota: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:ResourceQuotaSpec'], 3: ['status', 'message:ResourceQuotaStatus'] },
  ResourceQuotaSpec: { 1: ['hard', 'map<string,quantity>'], 2: ['scopes', 'string[]'], 3: ['scopeSelector', 'message:ScopeSelector'] },
  ResourceQuotaStatus: { 1: ['hard', 'map<string,quantity>'], 2: ['used', 'map<string,quantity>'] },
  ResourceRequirements: { 1: ['limits', 'map<string,quantity>'], 2: ['requests', 'map<string,quantity>'], 3: ['claims', 'message:ResourceClaim[]'] },
  ResourceStatus: { 1: ['name', 'string', 'keep'], 2: ['resources', 'message:ResourceHealth[]'] },
  ScaleIOVolumeSource: { 1: ['gateway', 'string', 'keep'], 2: ['system', 'string', 'keep'], 3: ['secretRef', 'message:LocalObjectReference'], 4: ['sslEnabled', 'bool'], 5: ['protectionDomain', 'string'], 6: ['storagePool', 'string'], 7: ['storageMode', 'string'], 8: ['volumeName', 'string'], 9: ['fsType', 'string'], 10: ['readOnly', 'bool'] },
  ScopedResourceSelectorRequirement: { 1: ['scopeName', 'string', 'keep'], 2: ['operator', 'string', 'keep'], 3: ['values', 'string[]'] },
  ScopeSelector: { 1: ['matchExpressions', 'message:ScopedResourceSelectorRequirement[]'] },
  SeccompProfile: { 1: ['type', 'string', 'keep'], 2: ['localhostProfile', 'string', 'keep'] },
  Secret: { 1: ['metadata', 'message:ObjectMeta'], 2: ['data', 'map<string,bytes>'], 3: ['type', 'string'], 4: ['stringData', 'map<string,string>'], 5: ['immutable', 'bool', 'keep'] },
  SecretEnvSource: { 1: ['localObjectReference', 'message:LocalObjectReference', 'inline'], 2: ['optional', 'bool', 'keep'] },
  SecretKeySelector: { 1: ['localObjectReference', 'message:LocalObjectReference', 'inline'], 2: ['key', 'string', 'keep'], 3: ['optional', 'bool', 'keep'] },
  SecretProjection: { 1: ['localObjectReference', 'message:LocalObjectReference', 'inline'], 2: ['items', 'message:KeyToPath[]'], 4: ['optional', 'bool', 'keep'] },
  SecretVolumeSource: { 1: ['secretName', 'string'], 2: ['items', 'message:KeyToPath[]'], 3: ['defaultMode', 'int32', 'keep'], 4: ['optional', 'bool', 'keep'] },
  SecurityContext: { 1: ['capabilities', 'message:Capabilities'], 2: ['privileged', 'bool', 'keep'], 3: ['seLinuxOptions', 'message:SELinuxOptions'], 4: ['runAsUser', 'int64', 'keep'], 5: ['runAsNonRoot', 'bool', 'keep'], 6: ['readOnlyRootFilesystem', 'bool', 'keep'], 7: ['allowPrivilegeEscalation', 'bool', 'keep'], 8: ['runAsGroup', 'int64', 'keep'], 9: ['procMount', 'string', 'keep'], 10: ['windowsOptions', 'message:WindowsSecurityContextOptions'], 11: ['seccompProfile', 'message:SeccompProfile'], 12: ['appArmorProfile', 'message:AppArmorProfile'] },
  SELinuxOptions: { 1: ['user', 'string'], 2: ['role', 'string'], 3: ['type', 'string'], 4: ['level', 'string'] },
  Service: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:ServiceSpec'], 3: ['status', 'message:ServiceStatus'] },
  ServiceAccount: { 1: ['metadata', 'message:ObjectMeta'], 2: ['secrets', 'message:ObjectReference[]'], 3: ['imagePullSecrets', 'message:LocalObjectReference[]'], 4: ['automountServiceAccountToken', 'bool', 'keep'] },
  ServiceAccountTokenProjection: { 1: ['audience', 'string'], 2: ['expirationSeconds', 'int64', 'keep'], 3: ['path', 'string', 'keep'] },
  ServicePort: { 1: ['name', 'string'], 2: ['protocol', 'string'], 3: ['port', 'int32', 'keep'], 4: ['targetPort', 'intOrString'], 5: ['nodePort', 'int32'], 6: ['appProtocol', 'string', 'keep'] },
  ServiceSpec: { 1: ['ports', 'message:ServicePort[]'], 2: ['selector', 'map<string,string>'], 3: ['clusterIP', 'string'], 4: ['type', 'string'], 5: ['externalIPs', 'string[]'], 7: ['sessionAffinity', 'string'], 8: ['loadBalancerIP', 'string'], 9: ['loadBalancerSourceRanges', 'string[]'], 10: ['externalName', 'string'], 11: ['externalTrafficPolicy', 'string'], 12: ['healthCheckNodePort', 'int32'], 13: ['publishNotReadyAddresses', 'bool'], 14: ['sessionAffinityConfig', 'message:SessionAffinityConfig'], 17: ['ipFamilyPolicy', 'string', 'keep'], 18: ['clusterIPs', 'string[]'], 19: ['ipFamilies', 'string[]'], 20: ['allocateLoadBalancerNodePorts', 'bool', 'keep'], 21: ['loadBalancerClass', 'string', 'keep'], 22: ['internalTrafficPolicy', 'string', 'keep'], 23: ['trafficDistribution', 'string', 'keep'] },
  ServiceStatus: { 1: ['loadBalancer', 'message:LoadBalancerStatus'], 2: ['conditions', 'message:Condition[]'] },
  SessionAffinityConfig: { 1: ['clientIP', 'message:ClientIPConfig'] },
  SleepAction: { 1: ['seconds', 'int64', 'keep'] },
  StorageOSVolumeSource: { 1: ['volumeName', 'string'], 2: ['volumeNamespace', 'string'], 3: ['fsType', 'string'], 4: ['readOnly', 'bool'], 5: ['secretRef', 'message:LocalObjectReference'] },
  Sysctl: { 1: ['name', 'string', 'keep'], 2: ['value', 'string', 'keep'] },
  Taint: { 1: ['key', 'string', 'keep'], 2: ['value', 'string'], 3: ['effect', 'string', 'keep'], 4: ['timeAdded', 'time'] },
  TCPSocketAction: { 1: ['port', 'intOrString'], 2: ['host', 'string'] },
  Toleration: { 1: ['key', 'string'], 2: ['operator', 'string'], 3: ['value', 'string'], 4: ['effect', 'string'], 5: ['tolerationSeconds', 'int64', 'keep'] },
  TopologySpreadConstraint: { 1: ['maxSkew', 'int32', 'keep'], 2: ['topologyKey', 'string', 'keep'], 3: ['whenUnsatisfiable', 'string', 'keep'], 4: ['labelSelector', 'message:LabelSelector'], 5: ['minDomains', 'int32', 'keep'], 6: ['nodeAffinityPolicy', 'string', 'keep'], 7: ['nodeTaintsPolicy', 'string', 'keep'], 8: ['matchLabelKeys', 'string[]'] },
  TypedLocalObjectReference: { 1: ['apiGroup', 'string', 'keep'], 2: ['kind', 'string', 'keep'], 3: ['name', 'string', 'keep'] },
  TypedObjectReference: { 1: ['apiGroup', 'string', 'keep'], 2: ['kind', 'string', 'keep'], 3: ['name', 'string', 'keep'], 4: ['namespace', 'string', 'keep'] },
  Volume: { 1: ['name', 'string', 'keep'], 2: ['volumeSource', 'message:VolumeSource', 'inline'] },
  VolumeDevice: { 1: ['name', 'string', 'keep'], 2: ['devicePath', 'string', 'keep'] },
  VolumeMount: { 1: ['name', 'string', 'keep'], 2: ['readOnly', 'bool'], 3: ['mountPath', 'string', 'keep'], 4: ['subPath', 'string'], 5: ['mountPropagation', 'string', 'keep'], 6: ['subPathExpr', 'string'], 7: ['recursiveReadOnly', 'string', 'keep'] },
  VolumeMountStatus: { 1: ['name', 'string', 'keep'], 2: ['mountPath', 'string', 'keep'], 3: ['readOnly', 'bool'], 4: ['recursiveReadOnly', 'string', 'keep'] },
  VolumeProjection: { 1: ['secret', 'message:SecretProjection'], 2: ['downwardAPI', 'message:DownwardAPIProjection'], 3: ['configMap', 'message:ConfigMapProjection'], 4: ['serviceAccountToken', 'message:ServiceAccountTokenProjection'], 5: ['clusterTrustBundle', 'message:ClusterTrustBundleProjection'], 6: ['podCertificate', 'message:PodCertificateProjection'] },
  VolumeResourceRequirements: { 1: ['limits', 'map<string,quantity>'], 2: ['requests', 'map<string,quantity>'] },
  VolumeSource: { 1: ['hostPath', 'message:HostPathVolumeSource'], 2: ['emptyDir', 'message:EmptyDirVolumeSource'], 3: ['gcePersistentDisk', 'message:GCEPersistentDiskVolumeSource'], 4: ['awsElasticBlockStore', 'message:AWSElasticBlockStoreVolumeSource'], 5: ['gitRepo', 'message:GitRepoVolumeSource'], 6: ['secret', 'message:SecretVolumeSource'], 7: ['nfs', 'message:NFSVolumeSource'], 8: ['iscsi', 'message:ISCSIVolumeSource'], 9: ['glusterfs', 'message:GlusterfsVolumeSource'], 10: ['persistentVolumeClaim', 'message:PersistentVolumeClaimVolumeSource'], 11: ['rbd', 'message:RBDVolumeSource'], 12: ['flexVolume', 'message:FlexVolumeSource'], 13: ['cinder', 'message:CinderVolumeSource'], 14: ['cephfs', 'message:CephFSVolumeSource'], 15: ['flocker', 'message:FlockerVolumeSource'], 16: ['downwardAPI', 'message:DownwardAPIVolumeSource'], 17: ['fc', 'message:FCVolumeSource'], 18: ['azureFile', 'message:AzureFileVolumeSource'], 19: ['configMap', 'message:ConfigMapVolumeSource'], 20: ['vsphereVolume', 'message:VsphereVirtualDiskVolumeSource'], 21: ['quobyte', 'message:QuobyteVolumeSource'], 22: ['azureDisk', 'message:AzureDiskVolumeSource'], 23: ['photonPersistentDisk', 'message:PhotonPersistentDiskVolumeSource'], 24: ['portworxVolume', 'message:PortworxVolumeSource'], 25: ['scaleIO', 'message:ScaleIOVolumeSource'], 26: ['projected', 'message:ProjectedVolumeSource'], 27: ['storageos', 'message:StorageOSVolumeSource'], 28: ['csi', 'message:CSIVolumeSource'], 29: ['ephemeral', 'message:EphemeralVolumeSource'], 30: ['image', 'message:ImageVolumeSource'] },
  VsphereVirtualDiskVolumeSource: { 1: ['volumePath', 'string', 'keep'], 2: ['fsType', 'string'], 3: ['storagePolicyName', 'string'], 4: ['storagePolicyID', 'string'] },
  WeightedPodAffinityTerm: { 1: ['weight', 'int32', 'keep'], 2: ['podAffinityTerm', 'message:PodAffinityTerm'] },
  WindowsSecurityContextOptions: { 1: ['gmsaCredentialSpecName', 'string', 'keep'], 2: ['gmsaCredentialSpec', 'string', 'keep'], 3: ['runAsUserName', 'string', 'keep'], 4: ['hostProcess', 'bool', 'keep'] },
  WorkloadReference: { 1: ['name', 'string', 'keep'], 2: ['podGroup', 'string', 'keep'], 3: ['podGroupReplicaKey', 'string'] },

  // k8s.io.api.batch.v1
  CronJob: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:CronJobSpec'], 3: ['status', 'message:CronJobStatus'] },
  CronJobSpec: { 1: ['schedule', 'string', 'keep'], 2: ['startingDeadlineSeconds', 'int64', 'keep'], 3: ['concurrencyPolicy', 'string'], 4: ['suspend', 'bool', 'keep'], 5: ['jobTemplate', 'message:JobTemplateSpec'], 6: ['successfulJobsHistoryLimit', 'int32', 'keep'], 7: ['failedJobsHistoryLimit', 'int32', 'keep'], 8: ['timeZone', 'string', 'keep'] },
  CronJobStatus: { 1: ['active', 'message:ObjectReference[]'], 4: ['lastScheduleTime', 'time'], 5: ['lastSuccessfulTime', 'time'] },
  Job: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:JobSpec'], 3: ['status', 'message:JobStatus'] },
  JobCondition: { 1: ['type', 'string', 'keep'], 2: ['status', 'string', 'keep'], 3: ['lastProbeTime', 'time'], 4: ['lastTransitionTime', 'time'], 5: ['reason', 'string'], 6: ['message', 'string'] },
  JobSpec: { 1: ['parallelism', 'int32', 'keep'], 2: ['completions', 'int32', 'keep'], 3: ['activeDeadlineSeconds', 'int64', 'keep'], 4: ['selector', 'message:LabelSelector'], 5: ['manualSelector', 'bool', 'keep'], 6: ['template', 'message:PodTemplateSpec'], 7: ['backoffLimit', 'int32', 'keep'], 8: ['ttlSecondsAfterFinished', 'int32', 'keep'], 9: ['completionMode', 'string', 'keep'], 10: ['suspend', 'bool', 'keep'], 11: ['podFailurePolicy', 'message:PodFailurePolicy'], 12: ['backoffLimitPerIndex', 'int32', 'keep'], 13: ['maxFailedIndexes', 'int32', 'keep'], 14: ['podReplacementPolicy', 'string', 'keep'], 15: ['managedBy', 'string', 'keep'], 16: ['successPolicy', 'message:SuccessPolicy'] },
  JobStatus: { 1: ['conditions', 'message:JobCondition[]'], 2: ['startTime', 'time'], 3: ['completionTime', 'time'], 4: ['active', 'int32'], 5: ['succeeded', 'int32'], 6: ['failed', 'int32'], 7: ['completedIndexes', 'string'], 8: ['uncountedTerminatedPods', 'message:UncountedTerminatedPods'], 9: ['ready', 'int32', 'keep'], 10: ['failedIndexes', 'string', 'keep'], 11: ['terminating', 'int32', 'keep'] },
  JobTemplateSpec: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:JobSpec'] },
  PodFailurePolicy: { 1: ['rules', 'message:PodFailurePolicyRule[]'] },
  PodFailurePolicyOnExitCodesRequirement: { 1: ['containerName', 'string', 'keep'], 2: ['operator', 'string', 'keep'], 3: ['values', 'int32[]'] },
  PodFailurePolicyOnPodConditionsPattern: { 1: ['type', 'string', 'keep'], 2: ['status', 'string', 'keep'] },
  PodFailurePolicyRule: { 1: ['action', 'string', 'keep'], 2: ['onExitCodes', 'message:PodFailurePolicyOnExitCodesRequirement'], 3: ['onPodConditions', 'message:PodFailurePolicyOnPodConditionsPattern[]'] },
  SuccessPolicy: { 1: ['rules', 'message:SuccessPolicyRule[]'] },
  SuccessPolicyRule: { 1: ['succeededIndexes', 'string', 'keep'], 2: ['succeededCount', 'int32', 'keep'] },
  UncountedTerminatedPods: { 1: ['succeeded', 'string[]'], 2: ['failed', 'string[]'] },

  // k8s.io.api.rbac.v1
  AggregationRule: { 1: ['clusterRoleSelectors', 'message:LabelSelector[]'] },
  ClusterRole: { 1: ['metadata', 'message:ObjectMeta'], 2: ['rules', 'message:PolicyRule[]'], 3: ['aggregationRule', 'message:AggregationRule'] },
  ClusterRoleBinding: { 1: ['metadata', 'message:ObjectMeta'], 2: ['subjects', 'message:Subject[]'], 3: ['roleRef', 'message:RoleRef'] },
  PolicyRule: { 1: ['verbs', 'string[]'], 2: ['apiGroups', 'string[]'], 3: ['resources', 'string[]'], 4: ['resourceNames', 'string[]'], 5: ['nonResourceURLs', 'string[]'] },
  Role: { 1: ['metadata', 'message:ObjectMeta'], 2: ['rules', 'message:PolicyRule[]'] },
  RoleBinding: { 1: ['metadata', 'message:ObjectMeta'], 2: ['subjects', 'message:Subject[]'], 3: ['roleRef', 'message:RoleRef'] },
  RoleRef: { 1: ['apiGroup', 'string', 'keep'], 2: ['kind', 'string', 'keep'], 3: ['name', 'string', 'keep'] },
  Subject: { 1: ['kind', 'string', 'keep'], 2: ['apiGroup', 'string'], 3: ['name', 'string', 'keep'], 4: ['namespace', 'string'] },

  // k8s.io.api.authorization.v1
  FieldSelectorAttributes: { 1: ['rawSelector', 'string'], 2: ['requirements', 'message:FieldSelectorRequirement[]'] },
  LabelSelectorAttributes: { 1: ['rawSelector', 'string'], 2: ['requirements', 'message:LabelSelectorRequirement[]'] },
  LocalSubjectAccessReview: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:SubjectAccessReviewSpec'], 3: ['status', 'message:SubjectAccessReviewStatus'] },
  NonResourceAttributes: { 1: ['path', 'string'], 2: ['verb', 'string'] },
  NonResourceRule: { 1: ['verbs', 'string[]'], 2: ['nonResourceURLs', 'string[]'] },
  ResourceAttributes: { 1: ['namespace', 'string'], 2: ['verb', 'string'], 3: ['group', 'string'], 4: ['version', 'string'], 5: ['resource', 'string'], 6: ['subresource', 'string'], 7: ['name', 'string'], 8: ['fieldSelector', 'message:FieldSelectorAttributes'], 9: ['labelSelector', 'message:LabelSelectorAttributes'] },
  ResourceRule: { 1: ['verbs', 'string[]'], 2: ['apiGroups', 'string[]'], 3: ['resources', 'string[]'], 4: ['resourceNames', 'string[]'] },
  SelfSubjectAccessReview: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:SelfSubjectAccessReviewSpec'], 3: ['status', 'message:SubjectAccessReviewStatus'] },
  SelfSubjectAccessReviewSpec: { 1: ['resourceAttributes', 'message:ResourceAttributes'], 2: ['nonResourceAttributes', 'message:NonResourceAttributes'] },
  SelfSubjectRulesReview: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:SelfSubjectRulesReviewSpec'], 3: ['status', 'message:SubjectRulesReviewStatus'] },
  SelfSubjectRulesReviewSpec: { 1: ['namespace', 'string'] },
  SubjectAccessReview: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:SubjectAccessReviewSpec'], 3: ['status', 'message:SubjectAccessReviewStatus'] },
  SubjectAccessReviewSpec: { 1: ['resourceAttributes', 'message:ResourceAttributes'], 2: ['nonResourceAttributes', 'message:NonResourceAttributes'], 3: ['user', 'string'], 4: ['groups', 'string[]'], 5: ['extra', 'map<string,stringList>'], 6: ['uid', 'string'] },
  SubjectAccessReviewStatus: { 1: ['allowed', 'bool', 'keep'], 2: ['reason', 'string'], 3: ['evaluationError', 'string'], 4: ['denied', 'bool'] },
  SubjectRulesReviewStatus: { 1: ['resourceRules', 'message:ResourceRule[]'], 2: ['nonResourceRules', 'message:NonResourceRule[]'], 3: ['incomplete', 'bool', 'keep'], 4: ['evaluationError', 'string'] },

  // k8s.io.api.authentication.v1
  BoundObjectReference: { 1: ['kind', 'string'], 2: ['apiVersion', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'] },
  SelfSubjectReview: { 1: ['metadata', 'message:ObjectMeta'], 2: ['status', 'message:SelfSubjectReviewStatus'] },
  SelfSubjectReviewStatus: { 1: ['userInfo', 'message:UserInfo'] },
  TokenRequest: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:TokenRequestSpec'], 3: ['status', 'message:TokenRequestStatus'] },
  TokenRequestSpec: { 1: ['audiences', 'string[]'], 3: ['boundObjectRef', 'message:BoundObjectReference'], 4: ['expirationSeconds', 'int64', 'keep'] },
  TokenRequestStatus: { 1: ['token', 'string', 'keep'], 2: ['expirationTimestamp', 'time'] },
  UserInfo: { 1: ['username', 'string'], 2: ['uid', 'string'], 3: ['groups', 'string[]'], 4: ['extra', 'map<string,stringList>'] },

  // k8s.io.api.certificates.v1
  CertificateSigningRequest: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:CertificateSigningRequestSpec'], 3: ['status', 'message:CertificateSigningRequestStatus'] },
  CertificateSigningRequestCondition: { 1: ['type', 'string', 'keep'], 6: ['status', 'string', 'keep'], 2: ['reason', 'string'], 3: ['message', 'string'], 4: ['lastUpdateTime', 'time'], 5: ['lastTransitionTime', 'time'] },
  CertificateSigningRequestSpec: { 1: ['request', 'bytes', 'keep'], 7: ['signerName', 'string', 'keep'], 8: ['expirationSeconds', 'int32', 'keep'], 5: ['usages', 'string[]'], 2: ['username', 'string'], 3: ['uid', 'string'], 4: ['groups', 'string[]'], 6: ['extra', 'map<string,stringList>'] },
  CertificateSigningRequestStatus: { 1: ['conditions', 'message:CertificateSigningRequestCondition[]'], 2: ['certificate', 'bytes'] },

  // k8s.io.api.policy.v1
  Eviction: { 1: ['metadata', 'message:ObjectMeta'], 2: ['deleteOptions', 'message:DeleteOptions'] },
  PodDisruptionBudget: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:PodDisruptionBudgetSpec'], 3: ['status', 'message:PodDisruptionBudgetStatus'] },
  PodDisruptionBudgetSpec: { 1: ['minAvailable', 'intOrString'], 2: ['selector', 'message:LabelSelector'], 3: ['maxUnavailable', 'intOrString'], 4: ['unhealthyPodEvictionPolicy', 'string', 'keep'] },
  PodDisruptionBudgetStatus: { 1: ['observedGeneration', 'int64'], 2: ['disruptedPods', 'map<string,time>'], 3: ['disruptionsAllowed', 'int32', 'keep'], 4: ['currentHealthy', 'int32', 'keep'], 5: ['desiredHealthy', 'int32', 'keep'], 6: ['expectedPods', 'int32', 'keep'], 7: ['conditions', 'message:Condition[]'] },

  // k8s.io.api.networking.v1
  HTTPIngressPath: { 1: ['path', 'string'], 2: ['backend', 'message:IngressBackend'], 3: ['pathType', 'string', 'keep'] },
  HTTPIngressRuleValue: { 1: ['paths', 'message:HTTPIngressPath[]'] },
  Ingress: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:IngressSpec'], 3: ['status', 'message:IngressStatus'] },
  IngressBackend: { 3: ['resource', 'message:TypedLocalObjectReference'], 4: ['service', 'message:IngressServiceBackend'] },
  IngressLoadBalancerIngress: { 1: ['ip', 'string'], 2: ['hostname', 'string'], 4: ['ports', 'message:IngressPortStatus[]'] },
  IngressLoadBalancerStatus: { 1: ['ingress', 'message:IngressLoadBalancerIngress[]'] },
  IngressPortStatus: { 1: ['port', 'int32', 'keep'], 2: ['protocol', 'string', 'keep'], 3: ['error', 'string', 'keep'] },
  IngressRule: { 1: ['host', 'string'], 2: ['ingressRuleValue', 'message:IngressRuleValue', 'inline'] },
  IngressRuleValue: { 1: ['http', 'message:HTTPIngressRuleValue'] },
  IngressServiceBackend: { 1: ['name', 'string', 'keep'], 2: ['port', 'message:ServiceBackendPort'] },
  IngressSpec: { 1: ['defaultBackend', 'message:IngressBackend'], 2: ['tls', 'message:IngressTLS[]'], 3: ['rules', 'message:IngressRule[]'], 4: ['ingressClassName', 'string', 'keep'] },
  IngressStatus: { 1: ['loadBalancer', 'message:IngressLoadBalancerStatus'] },
  IngressTLS: { 1: ['hosts', 'string[]'], 2: ['secretName', 'string'] },
  ServiceBackendPort: { 1: ['name', 'string'], 2: ['number', 'int32'] },

  // k8s.io.api.scheduling.v1
  PriorityClass: { 1: ['metadata', 'message:ObjectMeta'], 2: ['value', 'int32', 'keep'], 3: ['globalDefault', 'bool'], 4: ['description', 'string'], 5: ['preemptionPolicy', 'string', 'keep'] },
  // k8s.io.api.autoscaling.v2
  CrossVersionObjectReference: { 1: ['kind', 'string', 'keep'], 2: ['name', 'string', 'keep'], 3: ['apiVersion', 'string'] },
  HorizontalPodAutoscaler: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:HorizontalPodAutoscalerSpec'], 3: ['status', 'message:HorizontalPodAutoscalerStatus'] },
  HorizontalPodAutoscalerSpec: { 1: ['scaleTargetRef', 'message:CrossVersionObjectReference'], 2: ['minReplicas', 'int32', 'keep'], 3: ['maxReplicas', 'int32', 'keep'], 4: ['metrics', 'message:MetricSpec[]'], 5: ['behavior', 'message:HorizontalPodAutoscalerBehavior'] },
  HorizontalPodAutoscalerBehavior: { 1: ['scaleUp', 'message:HPAScalingRules'], 2: ['scaleDown', 'message:HPAScalingRules'] },
  HPAScalingRules: { 1: ['selectPolicy', 'string', 'keep'], 2: ['policies', 'message:HPAScalingPolicy[]'], 3: ['stabilizationWindowSeconds', 'int32', 'keep'], 4: ['tolerance', 'quantity'] },
  HPAScalingPolicy: { 1: ['type', 'string', 'keep'], 2: ['value', 'int32', 'keep'], 3: ['periodSeconds', 'int32', 'keep'] },
  MetricSpec: { 1: ['type', 'string', 'keep'], 2: ['object', 'message:ObjectMetricSource'], 3: ['pods', 'message:PodsMetricSource'], 4: ['resource', 'message:ResourceMetricSource'], 5: ['external', 'message:ExternalMetricSource'], 7: ['containerResource', 'message:ContainerResourceMetricSource'] },
  MetricTarget: { 1: ['type', 'string', 'keep'], 2: ['value', 'quantity'], 3: ['averageValue', 'quantity'], 4: ['averageUtilization', 'int32', 'keep'] },
  MetricIdentifier: { 1: ['name', 'string', 'keep'], 2: ['selector', 'message:LabelSelector'] },
  ResourceMetricSource: { 1: ['name', 'string', 'keep'], 2: ['target', 'message:MetricTarget'] },
  ContainerResourceMetricSource: { 1: ['name', 'string', 'keep'], 2: ['target', 'message:MetricTarget'], 3: ['container', 'string', 'keep'] },
  PodsMetricSource: { 1: ['metric', 'message:MetricIdentifier'], 2: ['target', 'message:MetricTarget'] },
  ObjectMetricSource: { 1: ['describedObject', 'message:CrossVersionObjectReference'], 2: ['target', 'message:MetricTarget'], 3: ['metric', 'message:MetricIdentifier'] },
  ExternalMetricSource: { 1: ['metric', 'message:MetricIdentifier'], 2: ['target', 'message:MetricTarget'] },
  HorizontalPodAutoscalerStatus: { 1: ['observedGeneration', 'int64', 'keep'], 2: ['lastScaleTime', 'time'], 3: ['currentReplicas', 'int32'], 4: ['desiredReplicas', 'int32', 'keep'], 5: ['currentMetrics', 'message:MetricStatus[]'], 6: ['conditions', 'message:HorizontalPodAutoscalerCondition[]'] },
  HorizontalPodAutoscalerCondition: { 1: ['type', 'string', 'keep'], 2: ['status', 'string', 'keep'], 3: ['lastTransitionTime', 'time'], 4: ['reason', 'string'], 5: ['message', 'string'] },
  MetricStatus: { 1: ['type', 'string', 'keep'], 2: ['object', 'message:ObjectMetricStatus'], 3: ['pods', 'message:PodsMetricStatus'], 4: ['resource', 'message:ResourceMetricStatus'], 5: ['external', 'message:ExternalMetricStatus'], 7: ['containerResource', 'message:ContainerResourceMetricStatus'] },
  MetricValueStatus: { 1: ['value', 'quantity'], 2: ['averageValue', 'quantity'], 3: ['averageUtilization', 'int32', 'keep'] },
  ResourceMetricStatus: { 1: ['name', 'string', 'keep'], 2: ['current', 'message:MetricValueStatus'] },
  ContainerResourceMetricStatus: { 1: ['name', 'string', 'keep'], 2: ['current', 'message:MetricValueStatus'], 3: ['container', 'string', 'keep'] },
  PodsMetricStatus: { 1: ['metric', 'message:MetricIdentifier'], 2: ['current', 'message:MetricValueStatus'] },
  ObjectMetricStatus: { 1: ['metric', 'message:MetricIdentifier'], 2: ['current', 'message:MetricValueStatus'], 3: ['describedObject', 'message:CrossVersionObjectReference'] },
  ExternalMetricStatus: { 1: ['metric', 'message:MetricIdentifier'], 2: ['current', 'message:MetricValueStatus'] },
  // k8s.io.api.autoscaling.v1 (its CrossVersionObjectReference is v2's, field for field)
  HorizontalPodAutoscalerV1: { 1: ['metadata', 'message:ObjectMeta'], 2: ['spec', 'message:HorizontalPodAutoscalerSpecV1'], 3: ['status', 'message:HorizontalPodAutoscalerStatusV1'] },
  HorizontalPodAutoscalerSpecV1: { 1: ['scaleTargetRef', 'message:CrossVersionObjectReference'], 2: ['minReplicas', 'int32', 'keep'], 3: ['maxReplicas', 'int32', 'keep'], 4: ['targetCPUUtilizationPercentage', 'int32', 'keep'] },
  HorizontalPodAutoscalerStatusV1: { 1: ['observedGeneration', 'int64', 'keep'], 2: ['lastScaleTime', 'time'], 3: ['currentReplicas', 'int32', 'keep'], 4: ['desiredReplicas', 'int32', 'keep'], 5: ['currentCPUUtilizationPercentage', 'int32', 'keep'] },
};
