import { ApiError } from '../../apimachinery/errors.ts';
import { timestamp } from '../../apimachinery/time.ts';
import { ensureCertificateAuthority, x509 } from '../../registry/certificateAuthority.ts';
import type { Registry } from '../../registry/generic.ts';
import { certificatesGroup, kubeAPIServerClientSigner, requestBlock, type CertificateSigningRequest } from '../../registry/resources/certificates.ts';

/**
 * kube-controller-manager's csrsigning controller for the `kubernetes.io/kube-apiserver-client`
 * signer: every Approved (not Denied, not Failed) request without a certificate gets one from
 * the cluster's CA, through `/status`. Level-triggered: a pass reads every CSR, so a late or
 * repeated event changes nothing, and compare-and-swap on the request's resourceVersion keeps
 * two passes from issuing twice.
 */

/** --cluster-signing-duration's default: a year; a request may ask for less, not below ten minutes. */
const maxDurationMs = 365 * 86_400_000;
const minDurationMs = 10 * 60_000;
/** The signer backdates certificates by five minutes, for clocks a little behind. */
const backdateMs = 5 * 60_000;

/** validAPIServerClientUsages. */
function usageError(usages: string[]): string | undefined {
  for (const u of usages) if (!['digital signature', 'key encipherment', 'client auth'].includes(u)) return `invalid usage for client certificate: ${u}`;
  return usages.includes('client auth') ? undefined : 'missing required usage for client certificate: client auth';
}

const has = (csr: CertificateSigningRequest, type: string) => (csr.status?.conditions ?? []).some((c) => c.type === type);
const due = (csr: CertificateSigningRequest) => csr.spec?.signerName === kubeAPIServerClientSigner
  && has(csr, 'Approved') && !has(csr, 'Denied') && !has(csr, 'Failed') && !csr.status?.certificate;

export async function signApprovedRequests(registry: Registry): Promise<void> {
  const def = registry.catalog.find(certificatesGroup, 'v1', 'certificatesigningrequests');
  if (!def) return;
  const pending = ((await registry.list(def, undefined)).items as CertificateSigningRequest[]).filter(due);
  if (!pending.length) return;
  const { parseCertificateRequest, issueCertificate } = await x509();
  const now = registry.now();
  const ca = await ensureCertificateAuthority(registry.store, now);
  for (const csr of pending) {
    const status = structuredClone(csr.status ?? {});
    const block = requestBlock(csr);
    const invalid = usageError(csr.spec?.usages ?? []) ?? (typeof block === 'string' ? block : undefined);
    if (invalid) {
      status.conditions = [...(status.conditions ?? []), { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: invalid, lastUpdateTime: timestamp(now) }];
    } else {
      const requested = csr.spec?.expirationSeconds != null ? csr.spec.expirationSeconds * 1000 : maxDurationMs;
      const duration = Math.min(maxDurationMs, Math.max(minDurationMs, requested));
      const pem = await issueCertificate(ca, {
        request: parseCertificateRequest(block as Uint8Array), usages: csr.spec?.usages ?? [],
        notBefore: now.getTime() - backdateMs, notAfter: now.getTime() + duration,
      });
      status.certificate = btoa(pem);
    }
    try {
      await registry.mutate(def, undefined, csr.metadata.name!, (current) => { current.status = status; }, { subresource: 'status', expectedResourceVersion: csr.metadata.resourceVersion });
    } catch (err) {
      // Someone else moved first (another pass issued, the CSR went): their write brings the next look.
      if (!(err instanceof ApiError && (err.reason === 'Conflict' || err.reason === 'NotFound'))) throw err;
    }
  }
}
