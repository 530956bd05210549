import { kubeObject, list, named, str, strMap, struct } from './base.ts';
import { resourceList } from './common.ts';
import { toleration } from './core.ts';

/** node.k8s.io/v1: RuntimeClass, the container runtime configuration a pod selects by name. */
const node = (kind: string) => `io.k8s.api.node.v1.${kind}`;

export const runtimeClass = named(node('RuntimeClass'), kubeObject({
  handler: str(),
  overhead: named(node('Overhead'), struct({ podFixed: resourceList() })),
  scheduling: named(node('Scheduling'), struct({ nodeSelector: strMap(), tolerations: list(toleration) })),
}));
