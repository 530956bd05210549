import { ApiError } from '../../apimachinery/errors.ts';
import { admissionForbidden, writes, type AdmissionPlugin } from '../admission.ts';
import type { KubeObject } from '../types.ts';
import { serviceaccounts } from './config.ts';
import { namespaces } from './namespaces.ts';
import type { Pod, PodSpec } from './pods.ts';

/**
 * The ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount): a new pod runs
 * as a service account that exists (`default` unless it names one), and unless the pod or
 * the account opts out (automountServiceAccountToken: false) it gets the projected
 * `kube-api-access-xxxxx` volume — a bound token, the cluster CA and its namespace —
 * mounted read-only at /var/run/secrets/kubernetes.io/serviceaccount in every container.
 * Mirror pods (a kubelet's static pods) are left as their manifest says.
 */

export const defaultServiceAccountName = 'default';
const mountPath = '/var/run/secrets/kubernetes.io/serviceaccount';
const mirrorAnnotation = 'kubernetes.io/config.mirror';

/** k8s.io/apimachinery's rand.String alphabet (no vowels, no confusables). */
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
const randomSuffix = () => Array.from(crypto.getRandomValues(new Uint8Array(5)), (b) => alphabet[b % alphabet.length]).join('');

/** TokenVolumeSource: what the kubelet projects into the volume. */
const tokenVolumeSource = () => ({
  defaultMode: 420,
  sources: [
    { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
    { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
  ],
});

type ServiceAccount = KubeObject & { automountServiceAccountToken?: boolean; imagePullSecrets?: unknown[] };

/** shouldAutomount: the pod's own setting, else the account's, else yes. */
const shouldAutomount = (sa: ServiceAccount, spec: PodSpec) => (spec.automountServiceAccountToken as boolean | undefined) ?? sa.automountServiceAccountToken ?? true;

function mountServiceAccountToken(spec: PodSpec): void {
  const taken = new Set((spec.volumes ?? []).map((v) => v.name));
  let name = `kube-api-access-${randomSuffix()}`;
  while (taken.has(name)) name = `kube-api-access-${randomSuffix()}`;
  (spec.volumes ??= []).push({ name, projected: tokenVolumeSource() } as { name: string });
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const mounts = (c.volumeMounts ??= []) as Array<{ mountPath?: string }>;
    if (!mounts.some((m) => m.mountPath === mountPath)) mounts.push({ name, readOnly: true, mountPath } as { mountPath: string });
  }
}

export const serviceAccountAdmission: AdmissionPlugin = {
  name: 'ServiceAccount',
  phase: 'mutating',
  resources: ['pods'],
  async admit(request, objects) {
    if (!writes(request, '', 'pods')) return;
    const pod = request.object as Pod;
    if (pod.metadata.annotations?.[mirrorAnnotation]) return;
    const spec = pod.spec;
    spec.serviceAccountName ||= defaultServiceAccountName;
    spec.serviceAccount = spec.serviceAccountName;
    let sa: ServiceAccount;
    try {
      sa = await objects.get(serviceaccounts, request.namespace, spec.serviceAccountName);
    } catch (err) {
      if (!(err instanceof ApiError && err.reason === 'NotFound')) throw err;
      // No namespace at all: NamespaceLifecycle answers that (`namespaces "x" not found`).
      if (!(await objects.get(namespaces, undefined, request.namespace!).catch(() => undefined))) return;
      // The plugin's lister names the resource in the singular: `serviceaccount "x" not found`.
      throw admissionForbidden(request, `error looking up service account ${request.namespace}/${spec.serviceAccountName}: serviceaccount "${spec.serviceAccountName}" not found`);
    }
    if (shouldAutomount(sa, spec)) mountServiceAccountToken(spec);
    if (!(spec.imagePullSecrets as unknown[] | undefined)?.length && sa.imagePullSecrets?.length) spec.imagePullSecrets = structuredClone(sa.imagePullSecrets);
  },
};
