import { kubeObject, list, named, str, struct, time } from './base.ts';
import { resourceList } from './common.ts';

/** metrics.k8s.io/v1beta1, as metrics-server serves it: usage figures, never written by clients. */
const metrics = (kind: string) => `io.k8s.metrics.pkg.apis.metrics.v1beta1.${kind}`;

export const nodeMetrics = named(metrics('NodeMetrics'), kubeObject({ timestamp: time(), window: str(), usage: resourceList() }));

export const podMetrics = named(metrics('PodMetrics'), kubeObject({
  timestamp: time(), window: str(),
  containers: list(named(metrics('ContainerMetrics'), struct({ name: str(), usage: resourceList() }))),
}));
