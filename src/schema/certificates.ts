import * as v from 'valibot';
import { int, kubeObject, list, named, str, struct, time } from './base.ts';

/** certificates.k8s.io/v1: CertificateSigningRequest (`kubectl certificate approve|deny`). */
const certificates = (kind: string) => `io.k8s.api.certificates.v1.${kind}`;

/** []byte fields travel as base64 in JSON (Go's encoding/json); a string that is not base64 is a 400 when decoded. */
const bytes = () => v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'illegal base64 data'), v.check((s) => s.length % 4 === 0, 'illegal base64 data'));

export const certificateSigningRequest = named(certificates('CertificateSigningRequest'), kubeObject({
  spec: named(certificates('CertificateSigningRequestSpec'), struct({
    request: bytes(), signerName: str(), expirationSeconds: int(), usages: list(str()),
    username: str(), uid: str(), groups: list(str()), extra: v.record(v.string(), list(str())),
  })),
  status: named(certificates('CertificateSigningRequestStatus'), struct({
    conditions: list(named(certificates('CertificateSigningRequestCondition'), struct({
      type: str(), status: str(), reason: str(), message: str(), lastUpdateTime: time(), lastTransitionTime: time(),
    }))),
    certificate: bytes(),
  })),
}));
