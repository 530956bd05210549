import * as schema from '../../schema/core.ts';
import { probeDefaults, supported, validateContainers } from '../podTemplate.ts';
import type { FieldError } from '../../apimachinery/errors.ts';
import { age, ageColumn, nameColumn, since } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

/** Minimal typed views of the pod fields this file reads. */
interface ContainerState { waiting?: { reason?: string }; running?: { startedAt?: string }; terminated?: { exitCode?: number; signal?: number; reason?: string; finishedAt?: string } }
interface ContainerStatus { name: string; ready?: boolean; restartCount?: number; state?: ContainerState; lastState?: ContainerState }
export interface Container { name?: string; image?: string; ports?: Array<{ containerPort?: number; protocol?: string }>; resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> }; imagePullPolicy?: string; terminationMessagePath?: string; terminationMessagePolicy?: string; volumeMounts?: unknown[]; securityContext?: Record<string, unknown>; [k: string]: unknown }
export interface PodSpec { containers?: Container[]; initContainers?: Container[]; priority?: number; priorityClassName?: string; preemptionPolicy?: string; nodeName?: string; restartPolicy?: string; dnsPolicy?: string; readinessGates?: unknown[]; tolerations?: Array<Record<string, unknown>>; volumes?: Array<{ name?: string }>; serviceAccountName?: string; [k: string]: unknown }
export interface PodStatus { phase?: string; reason?: string; podIP?: string; nominatedNodeName?: string; conditions?: Array<{ type: string; status: string }>; containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[]; qosClass?: string; [k: string]: unknown }
export type Pod = KubeObject & { spec: PodSpec; status?: PodStatus };

const imagePullPolicyFor = (image: string) => {
  const last = image.split('/').pop() ?? image;
  const tag = last.includes('@') ? 'digest' : last.split(':')[1];
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
};

export function qosClass(spec: PodSpec): string {
  const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  let any = false, guaranteed = true;
  for (const c of containers) {
    const requests = c.resources?.requests ?? {}, limits = c.resources?.limits ?? {};
    if (Object.keys(requests).length || Object.keys(limits).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (limits[r] === undefined) guaranteed = false;
      else if (requests[r] !== undefined && String(requests[r]) !== String(limits[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function defaultContainer(c: Container): void {
  if (c.image && !c.imagePullPolicy) c.imagePullPolicy = imagePullPolicyFor(c.image);
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  // A limit without a request requests the limit (SetDefaults_Pod).
  for (const [k, v] of Object.entries(c.resources.limits ?? {})) if (!(k in (c.resources.requests ?? {}))) (c.resources.requests ??= {})[k] = v;
  for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) probeDefaults(probe as Parameters<typeof probeDefaults>[0]);
}

/**
 * SetDefaults_Pod plus what the DefaultTolerationSeconds admission plugin adds. The
 * service account and its token volume, the priority and the resource defaults of a
 * LimitRange come from their own admission plugins.
 */
function podDefaults(pod: Pod): void {
  const spec = (pod.spec ??= {});
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  // The deprecated field is an alias the conversion from v1 honours.
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount as string;
  const tolerations = (spec.tolerations ??= []);
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    if (!tolerations.some((t) => t.key === key)) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
}

function validatePod(pod: Pod): FieldError[] {
  const spec = pod.spec ?? {};
  const names = new Set<string>();
  const errs = [...validateContainers(spec.containers, 'spec.containers', true, names), ...validateContainers(spec.initContainers, 'spec.initContainers', false, names)];
  if (spec.restartPolicy && !['Always', 'OnFailure', 'Never'].includes(spec.restartPolicy)) errs.push(supported('spec.restartPolicy', spec.restartPolicy, ['Always', 'OnFailure', 'Never']));
  if (spec.dnsPolicy && !['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'].includes(spec.dnsPolicy)) errs.push(supported('spec.dnsPolicy', spec.dnsPolicy, ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None']));
  return errs;
}

/** Only a few pod spec fields are mutable (ValidatePodUpdate). */
function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const strip = (spec: PodSpec) => {
    const copy = structuredClone(spec);
    for (const c of [...(copy.containers ?? []), ...(copy.initContainers ?? [])]) delete c.image;
    delete copy.activeDeadlineSeconds;
    delete copy.tolerations;
    delete copy.terminationGracePeriodSeconds;
    return JSON.stringify(copy);
  };
  if (strip(pod.spec ?? {}) === strip(old.spec ?? {})) return [];
  return [{
    field: 'spec', type: 'FieldValueForbidden',
    detail: 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
  }];
}

/** The STATUS, READY and RESTARTS cells, as kubectl's printPod computes them. */
export function podSummary(pod: Pod, now: Date): { ready: string; status: string; restarts: string } {
  const spec = pod.spec ?? {}, status = pod.status ?? {};
  let reason = status.reason || status.phase || '';
  let restarts = 0, readyContainers = 0, lastRestart = 0;
  const noteRestart = (c: ContainerStatus) => {
    restarts += c.restartCount ?? 0;
    const finished = c.lastState?.terminated?.finishedAt;
    if (finished) lastRestart = Math.max(lastRestart, Date.parse(finished));
  };
  let initializing = false;
  const inits = status.initContainerStatuses ?? [];
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i];
    noteRestart(c);
    const t = c.state?.terminated, w = c.state?.waiting;
    if (t && t.exitCode === 0) continue;
    if (t) reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    else if (w?.reason && w.reason !== 'PodInitializing') reason = `Init:${w.reason}`;
    else reason = `Init:${i}/${spec.initContainers?.length ?? inits.length}`;
    initializing = true;
    break;
  }
  const initialized = status.conditions?.some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    restarts = 0;
    let hasRunning = false;
    const containers = status.containerStatuses ?? [];
    for (let i = containers.length - 1; i >= 0; i--) {
      const c = containers[i];
      noteRestart(c);
      const t = c.state?.terminated, w = c.state?.waiting;
      if (w?.reason) reason = w.reason;
      else if (t?.reason) reason = t.reason;
      else if (t) reason = t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`;
      else if (c.ready && c.state?.running) { hasRunning = true; readyContainers++; }
    }
    if (reason === 'Completed' && hasRunning) reason = status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
  }
  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';
  const restartsCell = restarts && lastRestart ? `${restarts} (${since(new Date(lastRestart).toISOString(), now)} ago)` : String(restarts);
  return { ready: `${readyContainers}/${spec.containers?.length ?? 0}`, status: reason, restarts: restartsCell };
}

export const pods = defineResource<Pod>({
  group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod', namespaced: true,
  shortNames: ['po'], categories: ['all'], verbs: allVerbs,
  subresources: ['status', 'binding', 'log', 'eviction', 'exec', 'attach', 'portforward', 'proxy'],
  schema: schema.pod,
  columns: [
    nameColumn,
    { name: 'Ready', type: 'string', description: 'The aggregate readiness state of this pod for accepting traffic.' },
    { name: 'Status', type: 'string', description: 'The aggregate status of the containers in this pod.' },
    { name: 'Restarts', type: 'string', description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.' },
    ageColumn,
    { name: 'IP', type: 'string', priority: 1, description: 'IP address allocated to the pod. Routable at least within the cluster.' },
    { name: 'Node', type: 'string', priority: 1, description: 'Name of the node this pod is bound to.' },
    { name: 'Nominated Node', type: 'string', priority: 1, description: 'Node the scheduler nominated for preemption.' },
    { name: 'Readiness Gates', type: 'string', priority: 1, description: 'Pod readiness gates.' },
  ],
  row(pod, { now }) {
    const { ready, status, restarts } = podSummary(pod, now);
    const gates = pod.spec?.readinessGates?.length ? `0/${pod.spec.readinessGates.length}` : '<none>';
    return [pod.metadata.name, ready, status, restarts, age(pod, now), pod.status?.podIP || '<none>', pod.spec?.nodeName || '<none>', pod.status?.nominatedNodeName || '<none>', gates];
  },
  fieldSelectors: {
    'spec.nodeName': (pod) => pod.spec?.nodeName ?? '',
    'spec.restartPolicy': (pod) => pod.spec?.restartPolicy ?? '',
    'spec.schedulerName': (pod) => String(pod.spec?.schedulerName ?? ''),
    'spec.serviceAccountName': (pod) => pod.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': (pod) => String(pod.spec?.hostNetwork ?? false),
    'status.phase': (pod) => pod.status?.phase ?? '',
    'status.podIP': (pod) => pod.status?.podIP ?? '',
    'status.nominatedNodeName': (pod) => pod.status?.nominatedNodeName ?? '',
  },
  strategy: {
    tracksGeneration: true,
    defaults: podDefaults,
    prepareForCreate(pod) {
      pod.status = { phase: 'Pending', qosClass: qosClass(pod.spec ?? {}) };
    },
    validate: validatePod,
    validateUpdate: validatePodUpdate,
    /**
     * A pod running on a node is stopped by its kubelet first (deletionTimestamp +
     * grace, as kube-apiserver does); unbound or finished pods, and an explicit
     * grace period of 0, go at once.
     */
    gracefulDeletion(pod, options) {
      if (!pod.spec?.nodeName || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 0;
      const grace = options.gracePeriodSeconds ?? (pod.spec.terminationGracePeriodSeconds as number | undefined) ?? 30;
      return grace > 0 ? grace : 0;
    },
    allowUnconditionalUpdate: true,
  },
});
