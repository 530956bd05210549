import { clusterPrefix, type ClusterStore } from '../storage/store.ts';
import type { CertificateAuthority } from '../apimachinery/x509.ts';

/**
 * The cluster's CA (kubeadm's /etc/kubernetes/pki/ca.{crt,key}): made when the cluster is
 * provisioned, kept in the cluster's own keyspace under a key no resource lists (like the
 * cluster record), so it is dropped with the cluster and a re-created cluster of the same
 * name trusts none of the old one's certificates. The X.509 code is loaded on first use,
 * so a cluster that never signs or meets a client certificate never evaluates it.
 */

export const certificateAuthorityKey = (cluster: string) => `${clusterPrefix(cluster)}apiserverless.dev/certificate-authority`;

export const x509 = () => import('../apimachinery/x509.ts');

export async function readCertificateAuthority(store: ClusterStore): Promise<CertificateAuthority | null> {
  const kv = await store.get(certificateAuthorityKey(store.cluster));
  return kv ? (JSON.parse(kv.value) as CertificateAuthority) : null;
}

/** The cluster's CA, made now if it has none yet (clusters provisioned before CAs existed get one on first need). */
export async function ensureCertificateAuthority(store: ClusterStore, now: Date): Promise<CertificateAuthority> {
  const existing = await readCertificateAuthority(store);
  if (existing) return existing;
  const ca = await (await x509()).createCertificateAuthority(now.getTime());
  const result = await store.create(certificateAuthorityKey(store.cluster), JSON.stringify(ca));
  // Another writer made one first: theirs is the cluster's CA.
  if (!result.ok) return (await readCertificateAuthority(store))!;
  return ca;
}
