import { ApiError } from '../../apimachinery/errors.ts';
import { admissionForbidden, type AdmissionPlugin, type AdmissionRequest } from '../admission.ts';
import type { ClusterObjects, KubeObject, ResourceDef } from '../types.ts';
import { namespaces } from './namespaces.ts';
import { checks, seccompBeforeFields, type Check, type Finding, type Level, type PodView } from './podSecurityChecks.ts';

/**
 * The PodSecurity admission plugin (k8s.io/pod-security-admission): a namespace's labels
 * `pod-security.kubernetes.io/<mode>[-version]` choose a Pod Security Standard per mode.
 * `enforce` refuses a pod that violates it (`violates PodSecurity "restricted:latest": …`);
 * `warn` lets it in with a warning kubectl prints; `audit` would annotate the audit log,
 * which this server does not keep. Workload objects (Deployments, Jobs, …) are checked by
 * their pod template, with warnings only. Changing a namespace's enforce level warns about
 * the pods already there that the new level would refuse.
 */

const prefix = 'pod-security.kubernetes.io/';
const levels: Level[] = ['privileged', 'baseline', 'restricted'];
const rank = (l: Level) => levels.indexOf(l);

interface LevelVersion { level: Level; version: string }
interface Policy { enforce: LevelVersion; audit: LevelVersion; warn: LevelVersion }
interface LabelError { label: string; value: string; detail: string }

/** PolicyToEvaluate: the labels' policy (invalid values evaluate as restricted / latest) and what was wrong with them. */
function policyOf(labels: Record<string, string> = {}): { policy: Policy; errors: LabelError[] } {
  const errors: LabelError[] = [];
  const level = (mode: string): Level | undefined => {
    const value = labels[`${prefix}${mode}`];
    if (value === undefined) return undefined;
    if (levels.includes(value as Level)) return value as Level;
    errors.push({ label: `${prefix}${mode}`, value, detail: `must be one of ${levels.join(', ')}` });
    return 'restricted';
  };
  const version = (mode: string): string | undefined => {
    const value = labels[`${prefix}${mode}-version`];
    if (value === undefined) return undefined;
    if (value === 'latest' || /^v1\.(0|[1-9][0-9]*)$/.test(value)) return value;
    errors.push({ label: `${prefix}${mode}-version`, value, detail: 'must be "latest" or "v1.x"' });
    return 'latest';
  };
  const enforceLevel = level('enforce');
  const enforceValid = enforceLevel !== undefined && !errors.length;
  const enforce = { level: enforceLevel ?? 'privileged', version: version('enforce') ?? 'latest' };
  const audit = { level: level('audit') ?? 'privileged', version: version('audit') ?? 'latest' };
  // warn defaults to a (valid) enforce level stricter than its own default
  const warnLevel = level('warn') ?? (enforceValid && rank(enforce.level) > 0 ? enforce.level : 'privileged');
  const warnVersion = version('warn') ?? (enforceValid && warnLevel === enforce.level ? enforce.version : 'latest');
  return { policy: { enforce, audit, warn: { level: warnLevel, version: warnVersion } }, errors };
}

const shown = (lv: LevelVersion) => `${lv.level}:${lv.version}`;
const minorOf = (version: string) => (version === 'latest' ? Infinity : Number(version.slice('v1.'.length)));

/** The checks a level and version apply, in evaluation order, restricted ones replacing what they override. */
function checksFor({ level, version }: LevelVersion): Check[] {
  if (level === 'privileged') return [];
  const minor = minorOf(version);
  const active = checks
    .filter((c) => (c.since ?? 0) <= minor && (level === 'restricted' || c.level === 'baseline'))
    .map((c) => (c.id === seccompBeforeFields.id && minor < 19 ? seccompBeforeFields : c));
  const overridden = new Set(active.flatMap((c) => c.overrides ?? []));
  return active.filter((c) => !overridden.has(c.id));
}

function evaluate(lv: LevelVersion, pod: PodView): Finding[] {
  return checksFor(lv).map((c) => c.check(pod)).filter((f): f is Finding => !!f);
}

/** AggregateCheckResult.ForbiddenDetail: `reason (detail), reason (detail)`. */
const details = (findings: Finding[]) => findings.map((f) => (f.detail ? `${f.reason} (${f.detail})` : f.reason)).join(', ');

type Obj = Record<string, unknown>;
type Template = { metadata?: { annotations?: Record<string, string> }; spec?: Obj } | undefined;

/** Where a kind keeps its pod spec (DefaultPodSpecExtractor): the pod itself, or its template. */
const templates: Record<string, (obj: Obj) => Template> = {
  '/pods': (pod) => pod as Template,
  '/replicationcontrollers': (o) => (o.spec as Obj | undefined)?.template as Template,
  '/podtemplates': (o) => o.template as Template,
  'apps/deployments': (o) => (o.spec as Obj | undefined)?.template as Template,
  'apps/replicasets': (o) => (o.spec as Obj | undefined)?.template as Template,
  'apps/statefulsets': (o) => (o.spec as Obj | undefined)?.template as Template,
  'apps/daemonsets': (o) => (o.spec as Obj | undefined)?.template as Template,
  'batch/jobs': (o) => (o.spec as Obj | undefined)?.template as Template,
  'batch/cronjobs': (o) => (((o.spec as Obj | undefined)?.jobTemplate as Obj | undefined)?.spec as Obj | undefined)?.template as Template,
};

function podView(def: ResourceDef, obj: KubeObject): PodView | undefined {
  const template = templates[`${def.group}/${def.plural}`]?.(obj);
  if (!template?.spec) return undefined;
  return { annotations: template.metadata?.annotations ?? {}, spec: template.spec };
}

async function admitPodSpec(request: AdmissionRequest, objects: ClusterObjects): Promise<void> {
  const pod = request.def.group === '' && request.def.plural === 'pods';
  // A pod's spec cannot change after its create; workloads are checked whenever they are written.
  if (request.subresource || (pod ? request.operation !== 'CREATE' : request.operation === 'DELETE')) return;
  const view = podView(request.def, request.object!);
  if (!view || !request.namespace) return;
  const ns = await objects.get(namespaces, undefined, request.namespace);
  const { policy } = policyOf(ns.metadata.labels);
  if (pod) {
    const violations = evaluate(policy.enforce, view);
    if (violations.length) throw admissionForbidden(request, `violates PodSecurity "${shown(policy.enforce)}": ${details(violations)}`);
  }
  const warnings = evaluate(policy.warn, view);
  if (warnings.length) request.warnings.push(`would violate PodSecurity "${shown(policy.warn)}": ${details(warnings)}`);
}

/** ValidateNamespace: valid labels, and a warning for existing pods a stricter enforce level would refuse. */
async function admitNamespace(request: AdmissionRequest, objects: ClusterObjects): Promise<void> {
  if (request.subresource || (request.operation !== 'CREATE' && request.operation !== 'UPDATE')) return;
  const { policy, errors } = policyOf(request.object!.metadata.labels);
  const old = request.oldObject ? policyOf(request.oldObject.metadata.labels) : undefined;
  if (errors.length && (!old || JSON.stringify(errors) !== JSON.stringify(old.errors))) {
    const text = errors.map((e) => `metadata.labels[${e.label}]: Invalid value: ${JSON.stringify(e.value)}: ${e.detail}`);
    throw new ApiError(422, 'Invalid', `Namespace ${JSON.stringify(request.name)} is invalid: ${text.length === 1 ? text[0] : `[${text.join(', ')}]`}`);
  }
  if (!old) return;
  const [now, before] = [policy.enforce, old.policy.enforce];
  if (shown(now) === shown(before) || now.level === 'privileged' || (now.version === before.version && rank(now.level) <= rank(before.level))) return;
  request.warnings.push(...await existingPodWarnings(objects, request.name, now));
}

/** EvaluatePodsInNamespace: one warning per distinct set of reasons, naming the first pod (by name) that has it. */
async function existingPodWarnings(objects: ClusterObjects, namespace: string, enforce: LevelVersion): Promise<string[]> {
  const podsDef = objects.catalog.find('', 'v1', 'pods')!;
  const byReasons = new Map<string, string[]>();
  for (const pod of (await objects.list(podsDef, namespace)).items) {
    const findings = evaluate(enforce, podView(podsDef, pod)!);
    if (!findings.length) continue;
    const reasons = findings.map((f) => f.reason).join(', ');
    (byReasons.get(reasons) ?? byReasons.set(reasons, []).get(reasons)!).push(pod.metadata.name!);
  }
  if (!byReasons.size) return [];
  const lines = [...byReasons].map(([reasons, pods]) => {
    const first = [...pods].sort()[0];
    const others = pods.length - 1;
    return `${first}${others === 1 ? ' (and 1 other pod)' : others > 1 ? ` (and ${others} other pods)` : ''}: ${reasons}`;
  });
  return [`existing pods in namespace ${JSON.stringify(namespace)} violate the new PodSecurity enforce level ${JSON.stringify(shown(enforce))}`, ...lines.sort()];
}

export const podSecurity: AdmissionPlugin = {
  name: 'PodSecurity',
  phase: 'validating',
  admit(request, objects) {
    if (request.def.group === '' && request.def.plural === namespaces.plural) return admitNamespace(request, objects);
    return admitPodSpec(request, objects);
  },
};
