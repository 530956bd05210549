import { selectorMatches, type LabelSelector } from '../apimachinery/selectors.ts';
import type { ClusterApi } from './client.ts';
import { valueAt } from './fieldPath.ts';
import { describeRef, listPath, objectPath } from './paths.ts';
import type { Check, CountCheck, FieldCheck, FileCheck, Json, ValueCondition } from './types.ts';

export interface CheckResult { ok: boolean; says: string; why: string }

/** A value as a check's reason quotes it: long ones cut. */
const shown = (v: unknown) => {
  if (v === undefined) return 'absent';
  const text = JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
};
const same = (a: unknown, b: Json) => JSON.stringify(a) === JSON.stringify(b);

/** Why a value fails a condition (`where` names it), or undefined when it holds. */
export function valueVerdict(c: ValueCondition, value: unknown, where: string): string | undefined {
  if (c.absent) return value === undefined ? undefined : `${where} is ${shown(value)}, not absent`;
  if (c.equals !== undefined && !same(value, c.equals)) return `${where} is ${shown(value)}, not ${JSON.stringify(c.equals)}`;
  if (c.notEquals !== undefined && same(value, c.notEquals)) return `${where} is ${shown(value)}`;
  if (c.atLeast !== undefined && !(typeof value === 'number' && value >= c.atLeast)) return `${where} is ${shown(value)}, not at least ${c.atLeast}`;
  if (c.matches !== undefined && (value === undefined || !new RegExp(c.matches).test(typeof value === 'string' ? value : JSON.stringify(value)))) return `${where} is ${shown(value)}, which does not match /${c.matches}/`;
  return undefined;
}

/** Why a field check fails, or undefined when it holds. */
export function fieldVerdict(check: FieldCheck, obj: unknown): string | undefined {
  if (obj === undefined) return check.absent ? undefined : `${describeRef(check.object)} does not exist`;
  return valueVerdict(check, valueAt(obj, check.path), `${describeRef(check.object)}: ${check.path}`);
}

/** Why a count check fails: how many of the listed objects meet every `where`, against the bounds. */
export function countVerdict(check: CountCheck, items: unknown[]): string | undefined {
  const meeting = items.filter((item) => (check.where ?? []).every((w) => valueVerdict(w, valueAt(item, w.path), w.path) === undefined)).length;
  const what = `${check.kind}s${check.namespace ? ` in ${check.namespace}` : ''}${check.labelSelector ? ` labelled ${check.labelSelector}` : ''}${check.where?.length ? ` with ${check.where.map((w) => w.path).join(', ')} as asked` : ''}`;
  if (check.atLeast !== undefined && meeting < check.atLeast) return `${meeting} ${what}, not at least ${check.atLeast}`;
  if (check.atMost !== undefined && meeting > check.atMost) return `${meeting} ${what}, more than ${check.atMost}`;
  return undefined;
}

/** Why a file check fails, from what `cat PATH` gave in the container. */
export function fileVerdict(check: FileCheck, read: { stdout: string; code: number; message?: string }): string | undefined {
  const where = `${check.path} in pod ${check.namespace}/${check.pod}`;
  if (read.code === -1) return `cannot exec in pod ${check.namespace}/${check.pod}: ${read.message ?? 'refused'}`;
  if (check.absent) return read.code === 0 ? `${where} exists` : undefined;
  if (read.code !== 0) return `${where} cannot be read (cat exits ${read.code})`;
  return valueVerdict({ matches: check.matches }, read.stdout, where);
}

interface PolicyPeer { podSelector?: LabelSelector; namespaceSelector?: LabelSelector; ipBlock?: unknown }
interface NetworkPolicy { metadata: { name: string }; spec: { podSelector?: LabelSelector; policyTypes?: string[]; ingress?: Array<{ from?: PolicyPeer[]; ports?: Array<{ port?: number | string; protocol?: string }> }>; egress?: unknown[] } }

/**
 * Ingress as the NetworkPolicy API defines it: a pod no Ingress policy selects takes everything;
 * one that some select takes what at least one of their rules allows. Peers are read as pods of
 * the same namespace (a namespaceSelector peer is taken to include it); named ports are not resolved.
 */
export function ingressVerdict(policies: NetworkPolicy[], from: Record<string, string>, to: Record<string, string>, port: number): string | undefined {
  const isolating = policies.filter((p) => selectorMatches(p.spec.podSelector ?? {}, to) && (p.spec.policyTypes ?? ['Ingress']).includes('Ingress'));
  if (!isolating.length) return undefined;
  const allows = isolating.some((p) => (p.spec.ingress ?? []).some((rule) =>
    (!rule.from?.length || rule.from.some((peer) => peer.ipBlock === undefined && selectorMatches(peer.podSelector ?? {}, from)))
    && (!rule.ports?.length || rule.ports.some((p) => (p.protocol ?? 'TCP') === 'TCP' && (p.port === undefined || Number(p.port) === port)))));
  return allows ? undefined : `NetworkPolicies ${isolating.map((p) => p.metadata.name).join(', ')} select the destination pods for Ingress, and none allows pods labelled ${labels(from)} on port ${port}`;
}

const labels = (l: Record<string, string>) => Object.entries(l).map(([k, v]) => `${k}=${v}`).join(',');

export async function runCheck(api: ClusterApi, check: Check): Promise<CheckResult> {
  const result = (why: string | undefined): CheckResult => ({ ok: why === undefined, says: check.says, why: why ?? 'holds' });
  if ('field' in check) return result(fieldVerdict(check.field, await api.get(objectPath(check.field.object))));
  if ('canI' in check) {
    const q = check.canI;
    const review = {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
      spec: { user: q.user, groups: q.groups ?? ['system:authenticated'], resourceAttributes: { verb: q.verb, resource: q.resource, group: q.group ?? '', ...(q.subresource ? { subresource: q.subresource } : {}), ...(q.namespace ? { namespace: q.namespace } : {}) } },
    };
    const answer = await api.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', review);
    const allowed = (answer.json as { status?: { allowed?: boolean } }).status?.allowed === true;
    if (answer.status >= 400) return result(`the access review failed with ${answer.status}`);
    return result(allowed === check.allowed ? undefined : `${q.user} ${allowed ? 'may' : 'may not'} ${q.verb} ${q.resource}${q.subresource ? `/${q.subresource}` : ''}${q.namespace ? ` in ${q.namespace}` : ''}`);
  }
  if ('count' in check) {
    const c = check.count;
    const query = c.labelSelector ? `?labelSelector=${encodeURIComponent(c.labelSelector)}` : '';
    const list = await api.get<{ items?: unknown[] }>(listPath(c.apiVersion, c.kind, c.namespace) + query);
    return result(countVerdict(c, list?.items ?? []));
  }
  if ('file' in check) {
    const f = check.file;
    return result(fileVerdict(f, await api.exec(f.namespace, f.pod, ['cat', f.path], f.container)));
  }
  if ('certificateFor' in check) return result(await certificateVerdict(api, check.certificateFor.user));
  const { namespace, from, to, port } = check.networkAllows;
  const list = await api.get<{ items: NetworkPolicy[] }>(`/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/networkpolicies`);
  const refusal = ingressVerdict(list?.items ?? [], from, to, port);
  if (check.allowed) return result(refusal);
  return result(refusal ? undefined : `pods labelled ${labels(from)} may reach ${labels(to)} on port ${port}: no NetworkPolicy isolates them, or one allows them`);
}

interface Csr { metadata: { name: string }; spec: { signerName?: string }; status?: { certificate?: string } }

/** Why no certificate valid now names `user` (its CN), among those the cluster's signer issued; undefined when one does. */
async function certificateVerdict(api: ClusterApi, user: string): Promise<string | undefined> {
  const list = await api.get<{ items: Csr[] }>('/apis/certificates.k8s.io/v1/certificatesigningrequests');
  const { parseCertificate } = await import('../apimachinery/x509.ts');
  const { pemBlocks } = await import('../apimachinery/pem.ts');
  const now = Date.now();
  let expired = false;
  for (const csr of list?.items ?? []) {
    if (csr.spec.signerName !== 'kubernetes.io/kube-apiserver-client' || !csr.status?.certificate) continue;
    const block = pemBlocks(atob(csr.status.certificate))[0];
    if (!block) continue;
    const cert = parseCertificate(block.bytes);
    if (cert.subject.commonName !== user) continue;
    if (cert.notBefore <= now && now <= cert.notAfter) return undefined;
    expired = true;
  }
  return expired ? `every certificate issued to ${user} has expired` : `no CertificateSigningRequest for CN=${user} has been approved and issued`;
}

/** Every check of a scenario, in order. */
export const runChecks = (api: ClusterApi, checks: Check[]) => Promise.all(checks.map((c) => runCheck(api, c)));
