import { bool, int, kubeObject, list, named, opaque, str, strMap, struct } from './base.ts';
import { objectReference } from './common.ts';

/**
 * Small cluster-plumbing groups: scheduling.k8s.io (PriorityClass),
 * discovery.k8s.io (EndpointSlice) and coordination.k8s.io (Lease).
 */
export const priorityClass = named('io.k8s.api.scheduling.v1.PriorityClass', kubeObject({
  value: int(), globalDefault: bool(), description: str(), preemptionPolicy: str(),
}));

const discovery = (kind: string) => `io.k8s.api.discovery.v1.${kind}`;
export const endpointSlice = named(discovery('EndpointSlice'), kubeObject({
  addressType: str(),
  endpoints: list(named(discovery('Endpoint'), struct({
    addresses: list(str()),
    conditions: named(discovery('EndpointConditions'), struct({ ready: bool(), serving: bool(), terminating: bool() })),
    hostname: str(), targetRef: objectReference, deprecatedTopology: strMap(), nodeName: str(), zone: str(), hints: opaque(),
  }))),
  ports: list(named(discovery('EndpointPort'), struct({ name: str(), protocol: str(), port: int(), appProtocol: str() }))),
}));

export const lease = named('io.k8s.api.coordination.v1.Lease', kubeObject({
  spec: named('io.k8s.api.coordination.v1.LeaseSpec', struct({
    holderIdentity: str(), leaseDurationSeconds: int(), acquireTime: str(), renewTime: str(), leaseTransitions: int(),
    strategy: str(), preferredHolder: str(),
  })),
}));
