import * as v from 'valibot';
import { bool, int, intOrString, kubeObject, list, named, opaque, quantity, str, strMap, struct, time } from './base.ts';

/**
 * core/v1 wire types: the fields we decode and check; deep sub-trees stay opaque.
 * Every type carries its OpenAPI name (named()), which OpenAPI documents, `kubectl
 * explain` and strategic merge patch use; naming never changes validation.
 */
const core = (kind: string) => `io.k8s.api.core.v1.${kind}`;
const meta = (kind: string) => `io.k8s.apimachinery.pkg.apis.meta.v1.${kind}`;
/** A pass-through sub-tree that still has its Kubernetes type name. */
const opaqueNamed = (kind: string) => named(core(kind), opaque());

export const containerPort = named(core('ContainerPort'), struct({ name: str(), hostPort: int(), containerPort: int(), protocol: str(), hostIP: str() }));
const envVar = named(core('EnvVar'), struct({ name: str(), value: str(), valueFrom: opaqueNamed('EnvVarSource') }));
const resources = named(core('ResourceRequirements'), struct({
  limits: v.record(v.string(), quantity()), requests: v.record(v.string(), quantity()), claims: list(opaqueNamed('ResourceClaim')),
}));
const volumeMount = named(core('VolumeMount'), struct({
  name: str(), readOnly: bool(), recursiveReadOnly: str(), mountPath: str(), subPath: str(), mountPropagation: str(), subPathExpr: str(),
}));

export const container = named(core('Container'), struct({
  name: str(), image: str(), command: list(str()), args: list(str()), workingDir: str(), ports: list(containerPort),
  envFrom: list(opaqueNamed('EnvFromSource')), env: list(envVar), resources, resizePolicy: list(opaqueNamed('ContainerResizePolicy')),
  restartPolicy: str(), restartPolicyRules: list(opaqueNamed('ContainerRestartRule')),
  volumeMounts: list(volumeMount), volumeDevices: list(opaqueNamed('VolumeDevice')),
  livenessProbe: opaqueNamed('Probe'), readinessProbe: opaqueNamed('Probe'), startupProbe: opaqueNamed('Probe'),
  lifecycle: opaqueNamed('Lifecycle'), terminationMessagePath: str(), terminationMessagePolicy: str(), imagePullPolicy: str(),
  securityContext: opaqueNamed('SecurityContext'), stdin: bool(), stdinOnce: bool(), tty: bool(), targetContainerName: str(),
}));

export const toleration = named(core('Toleration'), struct({ key: str(), operator: str(), value: str(), effect: str(), tolerationSeconds: int() }));
/** VolumeSource's members (one is set per volume), each with its type name; their insides stay opaque. */
const volumeSources: Record<string, string> = {
  hostPath: 'HostPathVolumeSource', emptyDir: 'EmptyDirVolumeSource', gcePersistentDisk: 'GCEPersistentDiskVolumeSource',
  awsElasticBlockStore: 'AWSElasticBlockStoreVolumeSource', gitRepo: 'GitRepoVolumeSource', secret: 'SecretVolumeSource', nfs: 'NFSVolumeSource',
  iscsi: 'ISCSIVolumeSource', glusterfs: 'GlusterfsVolumeSource', persistentVolumeClaim: 'PersistentVolumeClaimVolumeSource', rbd: 'RBDVolumeSource',
  flexVolume: 'FlexVolumeSource', cinder: 'CinderVolumeSource', cephfs: 'CephFSVolumeSource', flocker: 'FlockerVolumeSource',
  downwardAPI: 'DownwardAPIVolumeSource', fc: 'FCVolumeSource', azureFile: 'AzureFileVolumeSource', configMap: 'ConfigMapVolumeSource',
  vsphereVolume: 'VsphereVirtualDiskVolumeSource', quobyte: 'QuobyteVolumeSource', azureDisk: 'AzureDiskVolumeSource',
  photonPersistentDisk: 'PhotonPersistentDiskVolumeSource', projected: 'ProjectedVolumeSource', portworxVolume: 'PortworxVolumeSource',
  scaleIO: 'ScaleIOVolumeSource', storageos: 'StorageOSVolumeSource', csi: 'CSIVolumeSource', ephemeral: 'EphemeralVolumeSource', image: 'ImageVolumeSource',
};
const volume = named(core('Volume'), struct({
  name: str(), ...Object.fromEntries(Object.entries(volumeSources).map(([field, type]) => [field, opaqueNamed(type)])),
}));

export const podSpec = named(core('PodSpec'), struct({
  volumes: list(volume), initContainers: list(container), containers: list(container), ephemeralContainers: list(container),
  restartPolicy: str(), terminationGracePeriodSeconds: int(), activeDeadlineSeconds: int(), dnsPolicy: str(), nodeSelector: strMap(),
  serviceAccountName: str(), serviceAccount: str(), automountServiceAccountToken: bool(), nodeName: str(), hostNetwork: bool(),
  hostPID: bool(), hostIPC: bool(), shareProcessNamespace: bool(), securityContext: opaqueNamed('PodSecurityContext'),
  imagePullSecrets: list(opaqueNamed('LocalObjectReference')),
  hostname: str(), subdomain: str(), affinity: opaqueNamed('Affinity'), schedulerName: str(), tolerations: list(toleration),
  hostAliases: list(opaqueNamed('HostAlias')), priorityClassName: str(), priority: int(), dnsConfig: opaqueNamed('PodDNSConfig'),
  readinessGates: list(opaqueNamed('PodReadinessGate')), runtimeClassName: str(), enableServiceLinks: bool(), preemptionPolicy: str(),
  overhead: v.record(v.string(), quantity()), topologySpreadConstraints: list(opaqueNamed('TopologySpreadConstraint')),
  setHostnameAsFQDN: bool(), os: opaqueNamed('PodOS'), hostUsers: bool(), schedulingGates: list(opaqueNamed('PodSchedulingGate')),
  resourceClaims: list(opaqueNamed('PodResourceClaim')), resources: opaqueNamed('ResourceRequirements'), hostnameOverride: str(),
}));

/** One shape, one name per owner (PodCondition, NodeCondition, ...), as the real types are separate structs. */
const condition = (name: string) => named(name, struct({
  type: str(), status: str(), lastProbeTime: str(), lastTransitionTime: str(), lastHeartbeatTime: str(), reason: str(), message: str(), observedGeneration: int(),
}));

export const podStatus = named(core('PodStatus'), struct({
  observedGeneration: int(), phase: str(), conditions: list(condition(core('PodCondition'))), message: str(), reason: str(), nominatedNodeName: str(), hostIP: str(),
  hostIPs: list(opaqueNamed('HostIP')), podIP: str(), podIPs: list(opaqueNamed('PodIP')), startTime: str(),
  initContainerStatuses: list(opaqueNamed('ContainerStatus')), containerStatuses: list(opaqueNamed('ContainerStatus')), qosClass: str(),
  ephemeralContainerStatuses: list(opaqueNamed('ContainerStatus')), resize: str(), resourceClaimStatuses: list(opaqueNamed('PodResourceClaimStatus')),
  extendedResourceClaimStatus: opaqueNamed('PodExtendedResourceClaimStatus'),
}));

export const pod = named(core('Pod'), kubeObject({ spec: podSpec, status: podStatus }));

export const taint = named(core('Taint'), struct({ key: str(), value: str(), effect: str(), timeAdded: str() }));
export const node = named(core('Node'), kubeObject({
  spec: named(core('NodeSpec'), struct({
    podCIDR: str(), podCIDRs: list(str()), providerID: str(), unschedulable: bool(), taints: list(taint), configSource: opaqueNamed('NodeConfigSource'), externalID: str(),
  })),
  status: named(core('NodeStatus'), struct({
    capacity: v.record(v.string(), quantity()), allocatable: v.record(v.string(), quantity()), phase: str(), conditions: list(condition(core('NodeCondition'))),
    addresses: list(named(core('NodeAddress'), struct({ type: str(), address: str() }))), daemonEndpoints: opaqueNamed('NodeDaemonEndpoints'),
    nodeInfo: opaqueNamed('NodeSystemInfo'), images: list(opaqueNamed('ContainerImage')), volumesInUse: list(str()),
    volumesAttached: list(opaqueNamed('AttachedVolume')), config: opaqueNamed('NodeConfigStatus'), runtimeHandlers: list(opaqueNamed('NodeRuntimeHandler')),
    features: opaqueNamed('NodeFeatures'), declaredFeatures: list(str()),
  })),
}));

export const namespace = named(core('Namespace'), kubeObject({
  spec: named(core('NamespaceSpec'), struct({ finalizers: list(str()) })),
  status: named(core('NamespaceStatus'), struct({ phase: str(), conditions: list(condition(core('NamespaceCondition'))) })),
}));

export const configMap = named(core('ConfigMap'), kubeObject({ immutable: bool(), data: strMap(), binaryData: strMap() }));
export const secret = named(core('Secret'), kubeObject({ immutable: bool(), data: strMap(), stringData: strMap(), type: str() }));

const servicePort = named(core('ServicePort'), struct({ name: str(), protocol: str(), appProtocol: str(), port: int(), targetPort: intOrString(), nodePort: int() }));
export const service = named(core('Service'), kubeObject({
  spec: named(core('ServiceSpec'), struct({
    ports: list(servicePort), selector: strMap(), clusterIP: str(), clusterIPs: list(str()), type: str(), externalIPs: list(str()),
    sessionAffinity: str(), loadBalancerIP: str(), loadBalancerSourceRanges: list(str()), externalName: str(), externalTrafficPolicy: str(),
    healthCheckNodePort: int(), publishNotReadyAddresses: bool(), sessionAffinityConfig: opaqueNamed('SessionAffinityConfig'), ipFamilies: list(str()),
    ipFamilyPolicy: str(), allocateLoadBalancerNodePorts: bool(), loadBalancerClass: str(), internalTrafficPolicy: str(), trafficDistribution: str(),
  })),
  status: named(core('ServiceStatus'), struct({ loadBalancer: opaqueNamed('LoadBalancerStatus'), conditions: list(condition(meta('Condition'))) })),
}));

const objectReference = named(core('ObjectReference'), struct({
  kind: str(), namespace: str(), name: str(), uid: str(), apiVersion: str(), resourceVersion: str(), fieldPath: str(),
}));
export const serviceAccount = named(core('ServiceAccount'), kubeObject({
  secrets: list(opaque()), imagePullSecrets: list(opaqueNamed('LocalObjectReference')), automountServiceAccountToken: bool(),
}));

export const event = named(core('Event'), kubeObject({
  involvedObject: objectReference, reason: str(), message: str(), source: named(core('EventSource'), struct({ component: str(), host: str() })),
  firstTimestamp: time(), lastTimestamp: time(), count: int(), type: str(), eventTime: str(), series: opaqueNamed('EventSeries'), action: str(),
  related: objectReference, reportingComponent: str(), reportingInstance: str(),
}));

export const binding = named(core('Binding'), kubeObject({ target: objectReference }));
