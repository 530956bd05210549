import type { Check, Manifest, ObjectRef } from '../types.ts';

/** Small builders the scenario declarations share: manifests as kubectl users write them, and the commonest checks. */

export const namespace = (name: string): Manifest => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

export interface DeploymentSpec {
  namespace: string;
  name: string;
  replicas?: number;
  image?: string;
  /** The pod template's labels (and the selector); default `app: <name>`. */
  labels?: Record<string, string>;
  /** Fields of the container (command, ports, resources…), beside name and image. */
  container?: Record<string, unknown>;
  /** Fields of the pod spec (nodeSelector, serviceAccountName…), beside containers. */
  pod?: Record<string, unknown>;
}

export function deployment(d: DeploymentSpec): Manifest {
  const labels = d.labels ?? { app: d.name };
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: d.name, namespace: d.namespace, labels },
    spec: {
      replicas: d.replicas ?? 1, selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { ...d.pod, containers: [{ name: d.name, image: d.image ?? 'nginx:1.27', ...d.container }] } },
    },
  };
}

export const ref = (apiVersion: string, kind: string, name: string, namespace?: string): ObjectRef => ({ apiVersion, kind, name, ...(namespace ? { namespace } : {}) });
export const deploymentRef = (namespace: string, name: string) => ref('apps/v1', 'Deployment', name, namespace);
export const nodeRef = (name: string) => ref('v1', 'Node', name);

/** The Deployment has at least `replicas` ready pods. */
export const deploymentReady = (namespace: string, name: string, replicas = 1): Check => ({
  says: `Deployment ${namespace}/${name} has ${replicas} ready replica${replicas === 1 ? '' : 's'}`,
  field: { object: deploymentRef(namespace, name), path: 'status.readyReplicas', atLeast: replicas },
});
