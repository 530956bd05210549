import * as schema from '../../schema/certificates.ts';
import { forbidden, invalid, type FieldError } from '../../apimachinery/errors.ts';
import { goBytes } from '../../apimachinery/goFormat.ts';
import { pemBlocks } from '../../apimachinery/pem.ts';
import { timestamp } from '../../apimachinery/time.ts';
import { isDNS1123Label, isDNS1123Subdomain } from '../../apimachinery/validation.ts';
import type { AdmissionPlugin } from '../admission.ts';
import { x509 } from '../certificateAuthority.ts';
import { age, ageColumn, humanDuration, nameColumn } from '../printing.ts';
import { defineResource, type HookContext, type KubeObject, type ResourceDef, type StatusSubresource, type Verb } from '../types.ts';

/**
 * certificates.k8s.io/v1 CertificateSigningRequest, as kube-apiserver's registry and
 * validation (pkg/registry/certificates, pkg/apis/certificates/validation) treat it. The
 * `approval` subresource is what `kubectl certificate approve|deny` writes: kubectl 1.35
 * GETs the CSR, appends a condition {type: Approved|Denied, status: "True", reason:
 * KubectlApprove|KubectlDeny, message: "This CSR was approved|denied by kubectl certificate
 * approve|deny.", lastUpdateTime} and PUTs the whole object (protobuf) to
 * `/apis/certificates.k8s.io/v1/certificatesigningrequests/<name>/approval`; on a
 * conflict it reads and tries again. The signer (controlplane/controllers/signer.ts) then
 * writes `status.certificate` through `/status`.
 */

export interface Condition { type?: string; status?: string; reason?: string; message?: string; lastUpdateTime?: string; lastTransitionTime?: string }
export type CertificateSigningRequest = KubeObject & {
  spec?: {
    request?: string; signerName?: string; expirationSeconds?: number; usages?: string[];
    username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]>;
  };
  status?: { conditions?: Condition[]; certificate?: string };
};

export const certificatesGroup = 'certificates.k8s.io';
export const kubeAPIServerClientSigner = 'kubernetes.io/kube-apiserver-client';
const legacyUnknownSigner = 'kubernetes.io/legacy-unknown';

const decodeBase64 = (value: string | undefined) => Uint8Array.from(atob(value ?? ''), (c) => c.charCodeAt(0));
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

export const validUsages = [
  'any', 'cert sign', 'client auth', 'code signing', 'content commitment', 'crl sign', 'data encipherment', 'decipher only', 'digital signature',
  'email protection', 'encipher only', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'key agreement', 'key encipherment', 'microsoft sgc',
  'netscape sgc', 'ocsp signing', 's/mime', 'server auth', 'signing', 'timestamping',
];
const supported = (values: string[]) => `supported values: ${values.map((v) => `"${v}"`).join(', ')}`;

/** The request's PEM block as Go's certificates.ParseCSR reads it (the first block, which must be a CERTIFICATE REQUEST). */
export function requestBlock(csr: CertificateSigningRequest): Uint8Array | string {
  const block = pemBlocks(text(decodeBase64(csr.spec?.request)), 1)[0];
  return block?.type === 'CERTIFICATE REQUEST' ? block.bytes : 'PEM block type must be CERTIFICATE REQUEST';
}

/** apivalidation.ValidateSignerName. */
function validateSignerName(signerName: string): FieldError[] {
  const field = 'spec.signerName';
  if (!signerName) return [{ field, type: 'FieldValueRequired' }];
  const segments = signerName.split('/');
  if (segments.length !== 2) return [{ field, type: 'FieldValueInvalid', value: signerName, detail: "must be a fully qualified domain and path of the form 'example.com/signer-name'" }];
  const [domain, path] = segments;
  const errs: FieldError[] = [];
  if (domain.length > 253) errs.push({ field, type: 'FieldValueTooLong', detail: 'may not be more than 253 bytes' });
  const labels = domain.split('.');
  for (const label of labels) {
    const bad = isDNS1123Label(label);
    if (bad.length) { errs.push(...bad.map((m) => ({ field, type: 'FieldValueInvalid' as const, value: domain, detail: `validating label "${label}": ${m}` }))); break; }
  }
  if (labels.length < 2) errs.push({ field, type: 'FieldValueInvalid', value: domain, detail: 'should be a domain with at least two segments separated by dots' });
  if (path.length > 253 - domain.length - 1) errs.push({ field, type: 'FieldValueTooLong', detail: `may not be more than ${253 - domain.length - 1} bytes` });
  for (const part of path.split('.')) {
    const bad = isDNS1123Subdomain(part);
    if (bad.length) { errs.push(...bad.map((m) => ({ field, type: 'FieldValueInvalid' as const, value: path, detail: `validating label "${part}": ${m}` }))); break; }
  }
  return errs;
}

const conditionsOf = (csr: CertificateSigningRequest, type: string) => (csr.status?.conditions ?? []).filter((c) => c.type === type);

/** validateConditions: Approved, Denied and Failed only True; Approved and Denied exclusive; one of each type. */
function validateConditions(csr: CertificateSigningRequest): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let approved = false, denied = false;
  (csr.status?.conditions ?? []).forEach((c, i) => {
    const at = `status.conditions[${i}]`;
    if (!c.type) errs.push({ field: `${at}.type`, type: 'FieldValueRequired' });
    const allowed = ['Approved', 'Denied', 'Failed'].includes(c.type ?? '') ? ['True'] : ['False', 'True', 'Unknown'];
    if (!c.status) errs.push({ field: `${at}.status`, type: 'FieldValueRequired' });
    else if (!allowed.includes(c.status)) errs.push({ field: `${at}.status`, type: 'FieldValueNotSupported', value: c.status, detail: supported(allowed) });
    if (((c.type === 'Approved' && denied) || (c.type === 'Denied' && approved))) {
      errs.push({ field: 'status.conditions', type: 'FieldValueInvalid', value: c.type, detail: 'Approved and Denied conditions are mutually exclusive' });
    }
    if (c.type === 'Approved') approved = true;
    if (c.type === 'Denied') denied = true;
    if (seen.has(c.type ?? '')) errs.push({ field: `${at}.type`, type: 'FieldValueDuplicate', value: c.type });
    seen.add(c.type ?? '');
  });
  return errs;
}

/** validateCertificate: CERTIFICATE PEM blocks only, without headers, at least one. */
function certificateError(certificate: string | undefined): string | undefined {
  if (!certificate) return undefined;
  const blocks = pemBlocks(text(decodeBase64(certificate)));
  const bad = blocks.find((b) => b.type !== 'CERTIFICATE');
  if (bad) return `only CERTIFICATE PEM blocks are allowed, found "${bad.type}"`;
  if (blocks.some((b) => b.headers)) return 'no PEM block headers are permitted';
  return blocks.length ? undefined : 'must contain at least one CERTIFICATE PEM block';
}

/**
 * validateCertificateSigningRequest, on every write. The rules kube relaxes for objects stored
 * before they existed never apply here (every stored CSR passed them), so none is relaxed.
 */
function validateCsr(csr: CertificateSigningRequest): FieldError[] {
  const spec = csr.spec ?? {};
  const errs: FieldError[] = [];
  const block = requestBlock(csr);
  if (typeof block === 'string') errs.push({ field: 'spec.request', type: 'FieldValueInvalid', detail: `${goBytes(decodeBase64(spec.request))}: ${block}` });
  const usages = spec.usages ?? [];
  if (!usages.length) errs.push({ field: 'spec.usages', type: 'FieldValueRequired' });
  usages.forEach((u, i) => { if (!validUsages.includes(u)) errs.push({ field: `spec.usages[${i}]`, type: 'FieldValueNotSupported', value: u, detail: supported(validUsages) }); });
  usages.forEach((u, i) => { if (usages.indexOf(u) !== i) errs.push({ field: `spec.usages[${i}]`, type: 'FieldValueDuplicate', value: u }); });
  if (spec.signerName === legacyUnknownSigner) {
    errs.push({ field: 'spec.signerName', type: 'FieldValueInvalid', value: spec.signerName, detail: 'the legacy signerName is not allowed via this API version' });
  } else errs.push(...validateSignerName(spec.signerName ?? ''));
  if (spec.expirationSeconds != null && spec.expirationSeconds < 600) {
    errs.push({ field: 'spec.expirationSeconds', type: 'FieldValueInvalid', value: spec.expirationSeconds, detail: 'may not specify a duration less than 600 seconds (10 minutes)' });
  }
  errs.push(...validateConditions(csr));
  const bad = certificateError(csr.status?.certificate);
  if (bad) errs.push({ field: 'status.certificate', type: 'FieldValueInvalid', value: '<certificate data>', detail: bad });
  return errs;
}

/** validateCertificateSigningRequestUpdate's rules for what the status and approval subresources may change. */
function validateStatusUpdate(csr: CertificateSigningRequest, old: CertificateSigningRequest, subresource: StatusSubresource): FieldError[] {
  const errs: FieldError[] = [];
  for (const type of ['Approved', 'Denied', 'Failed']) {
    if (conditionsOf(csr, type).length < conditionsOf(old, type).length) errs.push({ field: 'status.conditions', type: 'FieldValueForbidden', detail: `updates may not remove a condition of type "${type}"` });
  }
  if (subresource !== 'approval') {
    for (const type of ['Approved', 'Denied']) {
      const [now, before] = [conditionsOf(csr, type), conditionsOf(old, type)];
      if (now.length > before.length) errs.push({ field: 'status.conditions', type: 'FieldValueForbidden', detail: `updates may not add a condition of type "${type}"` });
      else if (now.length === before.length && JSON.stringify(now) !== JSON.stringify(before)) errs.push({ field: 'status.conditions', type: 'FieldValueForbidden', detail: `updates may not modify a condition of type "${type}"` });
    }
  }
  if ((csr.status?.certificate ?? '') !== (old.status?.certificate ?? '')) {
    if (subresource !== 'status') errs.push({ field: 'status.certificate', type: 'FieldValueForbidden', detail: 'updates may not set certificate content' });
    else if (old.status?.certificate) errs.push({ field: 'status.certificate', type: 'FieldValueForbidden', detail: 'updates may not modify existing certificate content' });
  }
  return errs;
}

/** populateConditionTimestamps: a condition without times gets now, or its earlier transition time if its status is unchanged. */
function populateConditionTimestamps(csr: CertificateSigningRequest, old: CertificateSigningRequest, now: string): void {
  for (const c of csr.status?.conditions ?? []) {
    c.lastUpdateTime ||= now;
    if (c.lastTransitionTime) continue;
    const before = (old.status?.conditions ?? []).find((o) => o.type === c.type);
    c.lastTransitionTime = before && before.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : now;
  }
}

/** preserveConditionInstances: a status update keeps the stored Approved/Denied conditions when it has as many of them. */
function preserveConditionInstances(csr: CertificateSigningRequest, old: CertificateSigningRequest, type: string): void {
  const at = (o: CertificateSigningRequest) => (o.status?.conditions ?? []).flatMap((c, i) => (c.type === type ? [i] : []));
  const [mine, theirs] = [at(csr), at(old)];
  if (mine.length !== theirs.length) return;
  mine.forEach((index, i) => { csr.status!.conditions![index] = structuredClone(old.status!.conditions![theirs[i]]); });
}

/** extractCSRStatus in kubectl's printer: Denied, Approved or Pending, then Failed and Issued. */
export function conditionText(csr: CertificateSigningRequest): string {
  const has = (type: string) => conditionsOf(csr, type).length > 0;
  return (has('Denied') ? 'Denied' : has('Approved') ? 'Approved' : 'Pending') + (has('Failed') ? ',Failed' : '') + (csr.status?.certificate ? ',Issued' : '');
}

export const certificatesigningrequests = defineResource<CertificateSigningRequest>({
  group: certificatesGroup, version: 'v1', kind: 'CertificateSigningRequest', plural: 'certificatesigningrequests', singular: 'certificatesigningrequest',
  namespaced: false, shortNames: ['csr'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] satisfies Verb[],
  subresources: ['approval', 'status'], nameRule: 'path-segment', schema: schema.certificateSigningRequest,
  columns: [
    nameColumn, ageColumn,
    { name: 'SignerName', type: 'string', description: 'signerName indicates the requested signer, and is a qualified name.' },
    { name: 'Requestor', type: 'string', description: 'request contains an x509 certificate signing request encoded in a "CERTIFICATE REQUEST" PEM block.' },
    { name: 'RequestedDuration', type: 'string', description: 'expirationSeconds is the requested duration of validity of the issued certificate.' },
    { name: 'Condition', type: 'string', description: 'conditions applied to the request. Known conditions are "Approved", "Denied", and "Failed".' },
  ],
  row: (csr, { now }) => [
    csr.metadata.name, age(csr, now), csr.spec?.signerName || '<none>', csr.spec?.username ?? '',
    csr.spec?.expirationSeconds != null ? humanDuration(csr.spec.expirationSeconds * 1000) : '<none>', conditionText(csr),
  ],
  fieldSelectors: { 'spec.signerName': (csr) => csr.spec?.signerName ?? '' },
  strategy: {
    /** The requestor is whoever creates it (user.Info from the request), never what the body says; no CSR is born approved. */
    prepareForCreate(csr, ctx) {
      const spec = (csr.spec ??= {});
      delete spec.username; delete spec.uid; delete spec.groups; delete spec.extra;
      if (ctx.user) {
        spec.username = ctx.user.username;
        if (ctx.user.uid) spec.uid = ctx.user.uid;
        spec.groups = [...ctx.user.groups];
        if (ctx.user.extra && Object.keys(ctx.user.extra).length) spec.extra = structuredClone(ctx.user.extra);
      }
      csr.status = {};
    },
    /** Only metadata changes on the main resource: spec is immutable, status has its subresources. */
    prepareForUpdate(csr, old) {
      csr.spec = old.spec;
    },
    prepareForStatusUpdate(csr, old, subresource, ctx: HookContext) {
      if (subresource === 'approval') csr.status = { ...old.status, conditions: csr.status?.conditions };
      else {
        csr.status ??= {};
        preserveConditionInstances(csr, old, 'Approved');
        preserveConditionInstances(csr, old, 'Denied');
      }
      populateConditionTimestamps(csr, old, timestamp(ctx.now));
    },
    validate: validateCsr,
    validateStatusUpdate,
    allowUnconditionalUpdate: true,
  },
});

const isCsr = (def: ResourceDef) => def.group === certificatesGroup && def.kind === certificatesigningrequests.kind;
const forbiddenCsr = (name: string, why: string) => forbidden(`certificatesigningrequests.certificates.k8s.io "${name}" is forbidden: ${why}`);

/**
 * The request itself, which validation could not read without the X.509 code: it must
 * parse and carry a valid signature (validateCSR's CheckSignature), as a 422 like the
 * rest of validation. Loaded on first use, like everything X.509.
 */
export const certificateRequestSignature: AdmissionPlugin = {
  name: 'CertificateSigningRequestValidation',
  phase: 'validating',
  async admit({ operation, def, name, object }) {
    if (operation !== 'CREATE' || !isCsr(def)) return;
    const csr = object as CertificateSigningRequest;
    const block = requestBlock(csr);
    if (typeof block === 'string') return; // validation said so already
    const { parseCertificateRequest, checkRequestSignature } = await x509();
    try {
      await checkRequestSignature(parseCertificateRequest(block));
    } catch (err) {
      throw invalid(def.kind, def.group, name, [{ field: 'spec.request', type: 'FieldValueInvalid', detail: `${goBytes(decodeBase64(csr.spec?.request))}: ${(err as Error).message}` }]);
    }
  },
};

/** CertificateSubjectRestriction: no client certificate for system:masters from this signer. */
export const certificateSubjectRestriction: AdmissionPlugin = {
  name: 'CertificateSubjectRestriction',
  phase: 'validating',
  async admit({ operation, def, name, object }) {
    const csr = object as CertificateSigningRequest;
    if (operation !== 'CREATE' || !isCsr(def) || csr.spec?.signerName !== kubeAPIServerClientSigner) return;
    const block = requestBlock(csr);
    if (typeof block === 'string') throw forbiddenCsr(name, `failed to parse CSR: ${block}`);
    const { parseCertificateRequest } = await x509();
    if (parseCertificateRequest(block).subject.organizations.includes('system:masters')) {
      throw forbiddenCsr(name, `use of ${kubeAPIServerClientSigner} signer with system:masters group is not allowed`);
    }
  },
};

/** Whether the user may `verb` (approve, sign) for this signer: by its name, or `<domain>/*` (certificates.IsAuthorizedForSignerName). */
async function allowedForSigner(ctx: HookContext, verb: string, signerName: string): Promise<boolean> {
  const { user, access } = ctx;
  if (!user || !access) return true; // the server's own controllers
  const ask = (name: string) => access.authorize(user, { verb, group: certificatesGroup, resource: 'signers', subresource: '', name, namespace: '' });
  if ((await ask(signerName)).allowed) return true;
  return (await ask(`${signerName.split('/')[0]}/*`)).allowed;
}

/**
 * CertificateApproval and CertificateSigning: approving or denying needs `approve` on the
 * signer (resource `signers`, group certificates.k8s.io), issuing needs `sign`, beyond the
 * subresource's own `update`.
 */
export const certificateApprovalAndSigning: AdmissionPlugin = {
  name: 'CertificateApproval',
  phase: 'validating',
  async admit({ operation, def, name, object, oldObject, subresource, ctx }) {
    if (operation !== 'UPDATE' || !isCsr(def)) return;
    const signerName = (oldObject as CertificateSigningRequest).spec?.signerName ?? '';
    if (subresource === 'approval' && !(await allowedForSigner(ctx, 'approve', signerName))) {
      throw forbiddenCsr(name, `user not permitted to approve requests with signerName "${signerName}"`);
    }
    const certificateChanged = (object as CertificateSigningRequest).status?.certificate !== (oldObject as CertificateSigningRequest).status?.certificate;
    if (subresource === 'status' && certificateChanged && !(await allowedForSigner(ctx, 'sign', signerName))) {
      throw forbiddenCsr(name, `user not permitted to sign requests with signerName "${signerName}"`);
    }
  },
};
