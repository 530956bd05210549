import { int, kubeObject, named, str, struct } from './base.ts';

/** autoscaling/v1 Scale: the `scale` subresource of Deployments, ReplicaSets, StatefulSets and ReplicationControllers. */
const autoscaling = (kind: string) => `io.k8s.api.autoscaling.v1.${kind}`;

export const scale = named(autoscaling('Scale'), kubeObject({
  spec: named(autoscaling('ScaleSpec'), struct({ replicas: int() })),
  status: named(autoscaling('ScaleStatus'), struct({ replicas: int(), selector: str() })),
}));
