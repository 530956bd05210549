import { stringify } from 'yaml';

/** A kubeconfig for one cluster: server URL (with its /clusters/<name> path), token (or client certificate), insecure TLS where self-signed. */
export function kubeconfig(options: { server: string; cluster: string; user: string; token?: string; certificate?: { certificate: string; privateKey: string }; insecure: boolean; namespace?: string }): string {
  const { server, cluster, user, token, certificate, insecure, namespace = 'default' } = options;
  // A client certificate instead of a token: the data fields kubeadm's kubeconfigs carry.
  const credentials = certificate ? { 'client-certificate-data': btoa(certificate.certificate), 'client-key-data': btoa(certificate.privateKey) } : { token };
  const context = `${user}@${cluster}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server, ...(insecure ? { 'insecure-skip-tls-verify': true } : {}) } }],
    users: [{ name: `${user}@${cluster}`, user: credentials }],
    contexts: [{ name: context, context: { cluster, user: `${user}@${cluster}`, namespace } }],
    'current-context': context,
    preferences: {},
  });
}
