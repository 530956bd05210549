import { isNegativeQuantity } from '../apimachinery/quantity.ts';
import { validateAnnotations, validateLabels, validateName } from '../apimachinery/validation.ts';
import type { FieldError } from '../apimachinery/errors.ts';
import { goStringMap, invalidGo } from '../apimachinery/goFormat.ts';
import { selectorMatches, type LabelSelector } from '../apimachinery/selectors.ts';

/**
 * Pod templates inside workloads (Deployment, Job, CronJob, ...): the defaults
 * every PodSpec gets when decoded (SetDefaults_PodSpec, SetDefaults_Container and
 * friends in pkg/apis/core/v1/defaults.go) and the template checks of
 * pkg/apis/apps/validation. Admission plugins (service account token volume,
 * default tolerations, priority) act on pods only, so templates never get them.
 */

type Obj = Record<string, unknown>;
/** Opaque sub-trees may hold any JSON; defaults only touch real objects. */
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
interface Probe extends Obj { httpGet?: Obj; timeoutSeconds?: number; periodSeconds?: number; successThreshold?: number; failureThreshold?: number }
export interface TemplateContainer {
  name?: string; image?: string; imagePullPolicy?: string; terminationMessagePath?: string; terminationMessagePolicy?: string;
  resources?: Obj; ports?: Array<{ containerPort?: number; protocol?: string }>;
  env?: Array<{ name?: string; valueFrom?: { fieldRef?: Obj } }>;
  livenessProbe?: Probe; readinessProbe?: Probe; startupProbe?: Probe; [k: string]: unknown;
}
export interface TemplatePodSpec {
  containers?: TemplateContainer[]; initContainers?: TemplateContainer[]; restartPolicy?: string; dnsPolicy?: string;
  nodeSelector?: Record<string, string>; activeDeadlineSeconds?: number; volumes?: Array<Obj & { name?: string }>; [k: string]: unknown;
}
export interface PodTemplateSpec {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  spec?: TemplatePodSpec;
}

/** imagePullPolicy: Always for `:latest` or no tag, IfNotPresent otherwise (digests included). */
function pullPolicyFor(image: string): string {
  const last = image.slice(image.lastIndexOf('/') + 1);
  if (last.includes('@')) return 'IfNotPresent';
  const colon = last.indexOf(':');
  const tag = colon < 0 ? '' : last.slice(colon + 1);
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** SetDefaults_Probe (pods and pod templates alike). */
export function probeDefaults(probe: Probe | undefined): void {
  if (!isObj(probe)) return;
  probe.timeoutSeconds ??= 1;
  probe.periodSeconds ??= 10;
  probe.successThreshold ??= 1;
  probe.failureThreshold ??= 3;
  if (isObj(probe.httpGet)) probe.httpGet.scheme ??= 'HTTP';
}

function containerDefaults(c: TemplateContainer): void {
  if (c.image && !c.imagePullPolicy) c.imagePullPolicy = pullPolicyFor(c.image);
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  // ResourceRequirements is a struct, not a pointer: it always serializes, as {}
  c.resources ??= {};
  for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  for (const e of c.env ?? []) if (isObj(e.valueFrom?.fieldRef)) e.valueFrom.fieldRef.apiVersion ??= 'v1';
  probeDefaults(c.livenessProbe);
  probeDefaults(c.readinessProbe);
  probeDefaults(c.startupProbe);
}

/** Volume sources whose file mode defaults to 0644 (420). */
const modeVolumes = ['secret', 'configMap', 'downwardAPI', 'projected'];

/** SetDefaults_PodSpec plus the defaults of what a pod spec contains. */
export function podSpecDefaults(spec: TemplatePodSpec): void {
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= 'default-scheduler';
  for (const c of spec.containers ?? []) containerDefaults(c);
  for (const c of spec.initContainers ?? []) containerDefaults(c);
  for (const volume of spec.volumes ?? []) {
    for (const source of modeVolumes) {
      const s = volume[source];
      if (isObj(s)) s.defaultMode ??= 420;
    }
  }
}

/** Defaults of a PodTemplateSpec (metadata is left as written). */
export function podTemplateDefaults(template: PodTemplateSpec | undefined): void {
  if (!template) return;
  podSpecDefaults((template.spec ??= {}));
}

export const supported = (field: string, value: unknown, values: string[]): FieldError => ({
  field, type: 'FieldValueNotSupported', value, detail: `supported values: ${values.map((v) => `"${v}"`).join(', ')}`,
});

/**
 * ValidateResourceRequirements' quantity rule (ValidateNonnegativeQuantity): requests and
 * limits may not be negative. (A malformed quantity never gets this far: decoding refuses it.)
 */
function validateResources(resources: unknown, at: string): FieldError[] {
  if (!isObj(resources)) return [];
  const errs: FieldError[] = [];
  for (const kind of ['limits', 'requests'] as const) {
    const list = resources[kind];
    if (!isObj(list)) continue;
    for (const [name, value] of Object.entries(list)) {
      if (isNegativeQuantity(value)) errs.push({ field: `${at}.resources.${kind}[${name}]`, type: 'FieldValueInvalid', value: String(value), detail: 'must be greater than or equal to 0' });
    }
  }
  return errs;
}

/** Container rules shared by pods and pod templates; `seen` spans init and app containers (names are unique across both). */
export function validateContainers(list: Array<Pick<TemplateContainer, 'name' | 'image' | 'ports' | 'imagePullPolicy' | 'resources'>> | undefined, path: string, required: boolean, seen: Set<string>): FieldError[] {
  if (required && !list?.length) return [{ field: path, type: 'FieldValueRequired' }];
  const errs: FieldError[] = [];
  (list ?? []).forEach((c, i) => {
    const at = `${path}[${i}]`;
    if (!c.name) errs.push({ field: `${at}.name`, type: 'FieldValueRequired' });
    else {
      errs.push(...validateName(c.name, 'label', `${at}.name`));
      if (seen.has(c.name)) errs.push({ field: `${at}.name`, type: 'FieldValueDuplicate', value: c.name });
      seen.add(c.name);
    }
    if (!c.image) errs.push({ field: `${at}.image`, type: 'FieldValueRequired' });
    (c.ports ?? []).forEach((p, j) => {
      const port = p.containerPort;
      if (port == null) errs.push({ field: `${at}.ports[${j}].containerPort`, type: 'FieldValueRequired' });
      else if (port < 1 || port > 65535) errs.push({ field: `${at}.ports[${j}].containerPort`, type: 'FieldValueInvalid', value: port, detail: 'must be between 1 and 65535, inclusive' });
      if (p.protocol && !['TCP', 'UDP', 'SCTP'].includes(p.protocol)) errs.push(supported(`${at}.ports[${j}].protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
    });
    if (c.imagePullPolicy && !['Always', 'IfNotPresent', 'Never'].includes(c.imagePullPolicy)) errs.push(supported(`${at}.imagePullPolicy`, c.imagePullPolicy, ['Always', 'IfNotPresent', 'Never']));
    errs.push(...validateResources(c.resources, at));
  });
  return errs;
}

/** ValidatePodTemplateSpec: template metadata and the pod spec, under `path`. */
export function validatePodTemplate(template: PodTemplateSpec | undefined, path: string): FieldError[] {
  if (!template) return [{ field: path, type: 'FieldValueRequired' }];
  const spec = template.spec ?? {};
  const names = new Set<string>();
  const errs = [
    ...validateLabels(template.metadata?.labels, `${path}.metadata.labels`),
    ...validateAnnotations(template.metadata?.annotations, `${path}.metadata.annotations`),
    ...validateContainers(spec.containers, `${path}.spec.containers`, true, names),
    ...validateContainers(spec.initContainers, `${path}.spec.initContainers`, false, names),
  ];
  if (spec.restartPolicy && !['Always', 'OnFailure', 'Never'].includes(spec.restartPolicy)) errs.push(supported(`${path}.spec.restartPolicy`, spec.restartPolicy, ['Always', 'OnFailure', 'Never']));
  if (spec.dnsPolicy && !['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'].includes(spec.dnsPolicy)) errs.push(supported(`${path}.spec.dnsPolicy`, spec.dnsPolicy, ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None']));
  return errs;
}

/**
 * ValidatePodTemplateSpecForReplicaSet (also used by Deployment, DaemonSet,
 * StatefulSet): the selector must select the template, pods restart Always,
 * and activeDeadlineSeconds is not for long-running pods.
 */
export function validateReplicatedTemplate(template: PodTemplateSpec | undefined, selector: LabelSelector | undefined, path: string): FieldError[] {
  if (!template) return [{ field: path, type: 'FieldValueRequired' }];
  const errs: FieldError[] = [];
  const labels = template.metadata?.labels;
  // a nil selector matches nothing (its own Required error comes from the spec check)
  const empty = selector && !Object.keys(selector.matchLabels ?? {}).length && !(selector.matchExpressions ?? []).length;
  if (!empty && !selectorMatches(selector, labels)) {
    errs.push(invalidGo(`${path}.metadata.labels`, goStringMap(labels), '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplate(template, path));
  const spec = template.spec ?? {};
  if (spec.restartPolicy !== 'Always') errs.push(supported(`${path}.spec.restartPolicy`, spec.restartPolicy ?? '', ['Always']));
  if (spec.activeDeadlineSeconds != null) {
    errs.push({ field: `${path}.spec.activeDeadlineSeconds`, type: 'FieldValueInvalid', value: spec.activeDeadlineSeconds, detail: 'activeDeadlineSeconds in ReplicaSet is not Supported' });
  }
  return errs;
}

/** The CONTAINERS and IMAGES cells of `-o wide` (layoutContainerCells). */
export function containerCells(template: PodTemplateSpec | undefined): [string, string] {
  const containers = template?.spec?.containers ?? [];
  return [containers.map((c) => c.name ?? '').join(','), containers.map((c) => c.image ?? '').join(',')];
}

/** A non-negative integer field (ValidateNonnegativeField). */
export function nonNegative(value: unknown, field: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [{ field, type: 'FieldValueInvalid', value, detail: 'must be greater than or equal to 0' }] : [];
}
