import { ApiError } from '../apimachinery/errors.ts';
import type { Certificate } from '../apimachinery/x509.ts';
import type { Clock, TokenClaims } from '../ports.ts';
import { readCertificateAuthority, x509 } from '../registry/certificateAuthority.ts';
import type { ClusterStore, Store } from '../storage/store.ts';
import type { Upgrade } from './upgrade.ts';

/**
 * kube-apiserver's x509 authenticator (--client-ca-file), per cluster: a TLS peer
 * certificate issued by the cluster's own CA names user CN, groups O. The entry hands the
 * certificate over out of band (never a header a client could write): the Node entry reads
 * it from the TLS socket. Verified certificates are remembered, like verified tokens, for a
 * minute at most (and never past their notAfter); the CA is re-read at most once a second
 * per store instance, so a cluster dropped and re-created trusts none of the old certificates.
 */

/** What an entry says about the connection: present only where the entry asked the client for a certificate. */
export interface Connection {
  tls?: { clientCertificate?: Uint8Array };
  /** Where the entry can hold a WebSocket (exec, attach): how it upgrades this request's connection. */
  upgrade?: Upgrade;
  /**
   * Where a stream can outlive its request (exec): how a process in a pod reaches this same API
   * server, as a fresh request on no client's connection (no certificate, no upgrade) routed to
   * the same cluster as this one.
   */
  loopback?: Loopback;
}

export type Loopback = (request: Request) => Promise<Response>;

interface Trust { ca: Certificate | null; caPem: string | null; readAt: number; verified: Map<string, { claims: TokenClaims; until: number }> }

export function certificateAuthenticator(store: Store, clock: Clock) {
  const trust = new WeakMap<ClusterStore, Trust>();

  async function trustOf(cluster: ClusterStore, now: number): Promise<Trust> {
    let current = trust.get(cluster);
    if (current && now - current.readAt < 1000) return current;
    const ca = await readCertificateAuthority(cluster);
    if (!current || current.caPem !== (ca?.certificate ?? null)) {
      const { parseCertificate } = await x509();
      const { pemBlocks } = await import('../apimachinery/pem.ts');
      current = { ca: ca ? parseCertificate(pemBlocks(ca.certificate)[0].bytes) : null, caPem: ca?.certificate ?? null, readAt: now, verified: new Map() };
      trust.set(cluster, current);
    }
    current.readAt = now;
    return current;
  }

  /** The certificate's identity as claims, or null when it is not one this cluster's CA issued (the token is asked next). */
  return async function authenticate(certificate: Uint8Array, cluster: string): Promise<TokenClaims | null> {
    const now = clock.now().getTime();
    const { ca, verified } = await trustOf(store.cluster(cluster), now);
    if (!ca) return null;
    const key = btoa(String.fromCharCode(...certificate));
    const hit = verified.get(key);
    if (hit && hit.until > now) return hit.claims;
    const { parseCertificate, verifyClientCertificate } = await x509();
    try {
      const cert = parseCertificate(certificate);
      await verifyClientCertificate(cert, ca, now);
      // A certificate without a CN names nobody (kube's x509 authenticator refuses it).
      if (!cert.subject.commonName) return null;
      const claims: TokenClaims = { sub: cert.subject.commonName, groups: cert.subject.organizations, cluster, exp: Math.floor(cert.notAfter / 1000) };
      if (verified.size >= 1000) verified.delete(verified.keys().next().value!);
      verified.set(key, { claims, until: Math.min(now + 60_000, cert.notAfter) });
      return claims;
    } catch {
      return null;
    }
  };
}

/**
 * 401 for a request without a token on an entry that cannot ask for a client certificate
 * (Cloudflare Workers, Lambda function URLs): whoever relies on a certificate learns why.
 * kubectl prints a canned line for a 401 during discovery, so the reason is also a Warning.
 */
export function clientCertificatesNotAccepted(): ApiError {
  const why = 'client certificates are not accepted by this entry (its platform cannot ask for them): use a kubeconfig with a token';
  return new ApiError(401, 'Unauthorized', `Unauthorized: ${why}`, undefined, { Warning: `299 - ${JSON.stringify(why)}` });
}
