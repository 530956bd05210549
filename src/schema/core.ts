import * as v from 'valibot';
import { bool, int, intOrString, kubeObject, list, opaque, quantity, str, strMap, struct } from './base.ts';

/** core/v1 wire types: the fields we decode and check; deep sub-trees stay opaque. */

export const containerPort = struct({ name: str(), hostPort: int(), containerPort: int(), protocol: str(), hostIP: str() });
const envVar = struct({ name: str(), value: str(), valueFrom: opaque() });
const resources = struct({ limits: v.record(v.string(), quantity()), requests: v.record(v.string(), quantity()), claims: list(opaque()) });
const volumeMount = struct({ name: str(), readOnly: bool(), recursiveReadOnly: str(), mountPath: str(), subPath: str(), mountPropagation: str(), subPathExpr: str() });

export const container = struct({
  name: str(), image: str(), command: list(str()), args: list(str()), workingDir: str(), ports: list(containerPort),
  envFrom: list(opaque()), env: list(envVar), resources, resizePolicy: list(opaque()), restartPolicy: str(), restartPolicyRules: list(opaque()),
  volumeMounts: list(volumeMount), volumeDevices: list(opaque()), livenessProbe: opaque(), readinessProbe: opaque(), startupProbe: opaque(),
  lifecycle: opaque(), terminationMessagePath: str(), terminationMessagePolicy: str(), imagePullPolicy: str(), securityContext: opaque(),
  stdin: bool(), stdinOnce: bool(), tty: bool(), targetContainerName: str(),
});

export const toleration = struct({ key: str(), operator: str(), value: str(), effect: str(), tolerationSeconds: int() });
const volume = v.looseObject({ name: v.optional(v.string()) });

export const podSpec = struct({
  volumes: list(volume), initContainers: list(container), containers: list(container), ephemeralContainers: list(container),
  restartPolicy: str(), terminationGracePeriodSeconds: int(), activeDeadlineSeconds: int(), dnsPolicy: str(), nodeSelector: strMap(),
  serviceAccountName: str(), serviceAccount: str(), automountServiceAccountToken: bool(), nodeName: str(), hostNetwork: bool(),
  hostPID: bool(), hostIPC: bool(), shareProcessNamespace: bool(), securityContext: opaque(), imagePullSecrets: list(opaque()),
  hostname: str(), subdomain: str(), affinity: opaque(), schedulerName: str(), tolerations: list(toleration), hostAliases: list(opaque()),
  priorityClassName: str(), priority: int(), dnsConfig: opaque(), readinessGates: list(opaque()), runtimeClassName: str(),
  enableServiceLinks: bool(), preemptionPolicy: str(), overhead: v.record(v.string(), quantity()), topologySpreadConstraints: list(opaque()),
  setHostnameAsFQDN: bool(), os: opaque(), hostUsers: bool(), schedulingGates: list(opaque()), resourceClaims: list(opaque()),
  resources: opaque(), hostnameOverride: str(),
});

const condition = struct({
  type: str(), status: str(), lastProbeTime: str(), lastTransitionTime: str(), lastHeartbeatTime: str(), reason: str(), message: str(), observedGeneration: int(),
});

export const podStatus = struct({
  observedGeneration: int(), phase: str(), conditions: list(condition), message: str(), reason: str(), nominatedNodeName: str(), hostIP: str(),
  hostIPs: list(opaque()), podIP: str(), podIPs: list(opaque()), startTime: str(), initContainerStatuses: list(opaque()),
  containerStatuses: list(opaque()), qosClass: str(), ephemeralContainerStatuses: list(opaque()), resize: str(), resourceClaimStatuses: list(opaque()),
  extendedResourceClaimStatus: opaque(),
});

export const pod = kubeObject({ spec: podSpec, status: podStatus });

export const taint = struct({ key: str(), value: str(), effect: str(), timeAdded: str() });
export const node = kubeObject({
  spec: struct({ podCIDR: str(), podCIDRs: list(str()), providerID: str(), unschedulable: bool(), taints: list(taint), configSource: opaque(), externalID: str() }),
  status: struct({
    capacity: v.record(v.string(), quantity()), allocatable: v.record(v.string(), quantity()), phase: str(), conditions: list(condition),
    addresses: list(struct({ type: str(), address: str() })), daemonEndpoints: opaque(), nodeInfo: opaque(), images: list(opaque()),
    volumesInUse: list(str()), volumesAttached: list(opaque()), config: opaque(), runtimeHandlers: list(opaque()), features: opaque(), declaredFeatures: list(str()),
  }),
});

export const namespace = kubeObject({
  spec: struct({ finalizers: list(str()) }),
  status: struct({ phase: str(), conditions: list(condition) }),
});

export const configMap = kubeObject({ immutable: bool(), data: strMap(), binaryData: strMap() });
export const secret = kubeObject({ immutable: bool(), data: strMap(), stringData: strMap(), type: str() });

const servicePort = struct({ name: str(), protocol: str(), appProtocol: str(), port: int(), targetPort: intOrString(), nodePort: int() });
export const service = kubeObject({
  spec: struct({
    ports: list(servicePort), selector: strMap(), clusterIP: str(), clusterIPs: list(str()), type: str(), externalIPs: list(str()),
    sessionAffinity: str(), loadBalancerIP: str(), loadBalancerSourceRanges: list(str()), externalName: str(), externalTrafficPolicy: str(),
    healthCheckNodePort: int(), publishNotReadyAddresses: bool(), sessionAffinityConfig: opaque(), ipFamilies: list(str()), ipFamilyPolicy: str(),
    allocateLoadBalancerNodePorts: bool(), loadBalancerClass: str(), internalTrafficPolicy: str(), trafficDistribution: str(),
  }),
  status: struct({ loadBalancer: opaque(), conditions: list(condition) }),
});

export const serviceAccount = kubeObject({ secrets: list(opaque()), imagePullSecrets: list(opaque()), automountServiceAccountToken: bool() });

const objectReference = struct({ kind: str(), namespace: str(), name: str(), uid: str(), apiVersion: str(), resourceVersion: str(), fieldPath: str() });
export const event = kubeObject({
  involvedObject: objectReference, reason: str(), message: str(), source: struct({ component: str(), host: str() }),
  firstTimestamp: str(), lastTimestamp: str(), count: int(), type: str(), eventTime: str(), series: opaque(), action: str(),
  related: objectReference, reportingComponent: str(), reportingInstance: str(),
});

export const binding = kubeObject({ target: objectReference });
