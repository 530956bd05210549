import { stringify } from 'yaml';

/** A kubeconfig for one cluster: server URL (with its /clusters/<name> path), token, insecure TLS where self-signed. */
export function kubeconfig(options: { server: string; cluster: string; user: string; token: string; insecure: boolean; namespace?: string }): string {
  const { server, cluster, user, token, insecure, namespace = 'default' } = options;
  const context = `${user}@${cluster}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server, ...(insecure ? { 'insecure-skip-tls-verify': true } : {}) } }],
    users: [{ name: `${user}@${cluster}`, user: { token } }],
    contexts: [{ name: context, context: { cluster, user: `${user}@${cluster}`, namespace } }],
    'current-context': context,
    preferences: {},
  });
}
