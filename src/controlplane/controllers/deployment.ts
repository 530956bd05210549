import type { Pod } from '../../registry/resources/pods.ts';
import type { KubeObject } from '../../registry/types.ts';
import type { ControllerPass } from './context.ts';
import { byIdentity, canonical, canonicalOf, templateHash } from './names.ts';
import {
  controllerOf, controllerRef, isDeleting, isTerminal, ms, scaledValue, setCondition, withoutZeros, type Condition, type Workload,
} from './objects.ts';
import { withoutLabel } from './template.ts';

/**
 * The Deployment controller (pkg/controller/deployment): one ReplicaSet per pod
 * template, named `<deployment>-<pod-template-hash>`; a template change rolls
 * out by scaling the new set up and the old ones down within maxSurge and
 * maxUnavailable (RollingUpdate), or all old pods first (Recreate). Like the
 * real controller it takes one step per sync; each step's writes bring the next pass.
 */

const component = 'deployment-controller';
export const hashLabel = 'pod-template-hash';
export const revisionAnnotation = 'deployment.kubernetes.io/revision';
const desiredAnnotation = 'deployment.kubernetes.io/desired-replicas';
const maxAnnotation = 'deployment.kubernetes.io/max-replicas';
/** Deployment annotations never copied onto its ReplicaSets (skipCopyAnnotation). */
const notCopied = new Set(['kubectl.kubernetes.io/last-applied-configuration', revisionAnnotation, 'deployment.kubernetes.io/revision-history', desiredAnnotation, maxAnnotation]);

const replicasOf = (w: Workload) => w.spec.replicas ?? 1;
const statusCount = (w: Workload, field: string) => Number(w.status?.[field] ?? 0);
const sum = (list: Workload[], f: (w: Workload) => number) => list.reduce((n, w) => n + f(w), 0);
const revisionOf = (rs: KubeObject) => Number(rs.metadata.annotations?.[revisionAnnotation] ?? 0) || 0;
const byCreation = (a: KubeObject, b: KubeObject) => (ms(a.metadata.creationTimestamp) || 0) - (ms(b.metadata.creationTimestamp) || 0) || ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1);

const isRolling = (d: Workload) => (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** ResolveFenceposts: maxSurge rounds up, maxUnavailable down; both zero means one may be unavailable. */
function fenceposts(d: Workload): { surge: number; unavailable: number } {
  if (!isRolling(d)) return { surge: 0, unavailable: 0 };
  const rolling = d.spec.strategy?.rollingUpdate ?? {};
  const replicas = replicasOf(d);
  const surge = scaledValue(rolling.maxSurge ?? '25%', replicas, true);
  let unavailable = scaledValue(rolling.maxUnavailable ?? '25%', replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/** deploymentutil.MaxUnavailable. */
const maxUnavailable = (d: Workload) => (!isRolling(d) || replicasOf(d) === 0 ? 0 : Math.min(fenceposts(d).unavailable, replicasOf(d)));

/** A ReplicaSet's template as its deployment wrote it (without the hash label), as canonical text. */
const stampedTemplate = byIdentity((rs: Workload) => canonical(withoutLabel(rs.spec.template, hashLabel)));
const emptyTemplate = {};

/** The ReplicaSet whose template is the deployment's, hash label aside (EqualIgnoreHash). */
function findNewReplicaSet(d: Workload, rses: Workload[]): Workload | undefined {
  const want = canonicalOf(d.spec.template ?? emptyTemplate);
  return [...rses].sort(byCreation).find((rs) => stampedTemplate(rs) === want);
}

/** The ReplicaSet a deployment's current template calls for. */
export function newReplicaSetObject(d: Workload, replicas: number, revision: number): Workload {
  const hash = templateHash(d.spec.template ?? {}, d.status?.collisionCount);
  const template = structuredClone(d.spec.template ?? {});
  const labels = { ...(template.metadata?.labels ?? {}), [hashLabel]: hash };
  template.metadata = { ...(template.metadata ?? {}), labels };
  const selector = structuredClone(d.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [hashLabel]: hash };
  const copied = Object.fromEntries(Object.entries(d.metadata.annotations ?? {}).filter(([k]) => !notCopied.has(k)));
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`, namespace: d.metadata.namespace, labels,
      annotations: { ...copied, [desiredAnnotation]: String(replicasOf(d)), [maxAnnotation]: String(replicasOf(d) + fenceposts(d).surge), [revisionAnnotation]: String(revision) },
      ownerReferences: [controllerRef(d)],
    },
    spec: { replicas, ...(d.spec.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}), selector, template },
  };
}

interface Rollout { d: Workload; newRS?: Workload; olds: Workload[] }
const all = (r: Rollout) => (r.newRS ? [r.newRS, ...r.olds] : r.olds);

/** Scales a ReplicaSet, stamping the deployment's size annotations, and says so in an event. */
async function scale(pass: ControllerPass, r: Rollout, rs: Workload, replicas: number): Promise<boolean> {
  const from = replicasOf(rs);
  const annotations = { [desiredAnnotation]: String(replicasOf(r.d)), [maxAnnotation]: String(replicasOf(r.d) + fenceposts(r.d).surge) };
  const stale = Object.entries(annotations).some(([k, v]) => rs.metadata.annotations?.[k] !== v);
  if (from === replicas && !stale) return false;
  const written = await pass.update('replicasets', rs, (copy) => {
    (copy as Workload).spec.replicas = replicas;
    copy.metadata.annotations = { ...(copy.metadata.annotations ?? {}), ...annotations };
  }) as Workload | undefined;
  if (!written) return false;
  if (rs === r.newRS) r.newRS = written; else r.olds = r.olds.map((o) => (o === rs ? written : o));
  if (from === replicas) return false;
  await pass.event(r.d, 'Normal', 'ScalingReplicaSet', `Scaled ${replicas > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${replicas}`, component);
  return true;
}

/** NewRSNewReplicas for RollingUpdate: grow the new set as far as maxSurge allows. */
function newReplicas(r: Rollout): number {
  const replicas = replicasOf(r.d);
  const current = sum(all(r), replicasOf);
  const have = r.newRS ? replicasOf(r.newRS) : 0;
  if (!isRolling(r.d)) return replicas;
  const maxTotal = replicas + fenceposts(r.d).surge;
  if (current >= maxTotal) return have;
  return have + Math.max(0, Math.min(maxTotal - current, replicas - have));
}

async function createNewReplicaSet(pass: ControllerPass, r: Rollout, replicas: number): Promise<Workload | undefined> {
  const revision = Math.max(0, ...r.olds.map(revisionOf)) + 1;
  const wanted = newReplicaSetObject(r.d, replicas, revision);
  const created = await pass.create('replicasets', r.d.metadata.namespace, wanted) as Workload | undefined;
  if (!created) {
    // A ReplicaSet of that name exists but is not this template: a hash collision (or a racing pass).
    const existing = pass.inNamespace('replicasets', r.d.metadata.namespace).find((rs) => rs.metadata.name === wanted.metadata.name);
    if (!existing || isDeleting(existing)) return undefined; // gone meanwhile, or still going: the next pass sees
    if (findNewReplicaSet(r.d, [existing])) return existing;
    await pass.writeStatus('deployments', r.d, { ...(r.d.status ?? {}), collisionCount: (r.d.status?.collisionCount ?? 0) + 1 });
    return undefined;
  }
  if (replicas > 0) await pass.event(r.d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`, component);
  return created;
}

/** The new set's revision is one past every old one's (a rollback re-numbers the set it brings back). */
async function syncRevision(pass: ControllerPass, r: Rollout): Promise<void> {
  const rs = r.newRS!;
  const wanted = Math.max(revisionOf(rs), Math.max(0, ...r.olds.map(revisionOf)) + 1);
  const copied = Object.entries(r.d.metadata.annotations ?? {}).filter(([k]) => !notCopied.has(k));
  if (revisionOf(rs) === wanted && copied.every(([k, v]) => rs.metadata.annotations?.[k] === v)) return;
  const written = await pass.update('replicasets', rs, (copy) => {
    copy.metadata.annotations = { ...(copy.metadata.annotations ?? {}), ...Object.fromEntries(copied), [revisionAnnotation]: String(wanted) };
  }) as Workload | undefined;
  if (written) r.newRS = written;
}

/** reconcileOldReplicaSets: scale old sets down while keeping replicas - maxUnavailable available. */
async function scaleDownOld(pass: ControllerPass, r: Rollout): Promise<boolean> {
  const olds = r.olds.filter((rs) => replicasOf(rs) > 0).sort(byCreation);
  if (!olds.length) return false;
  const minAvailable = replicasOf(r.d) - maxUnavailable(r.d);
  const newUnavailable = r.newRS ? replicasOf(r.newRS) - statusCount(r.newRS, 'availableReplicas') : 0;
  let budget = sum(all(r), replicasOf) - minAvailable - newUnavailable;
  if (budget <= 0) return false;
  let scaled = false;
  // Unhealthy old pods go first: they count for nothing.
  for (const rs of olds) {
    if (budget <= 0) break;
    const unhealthy = replicasOf(rs) - statusCount(rs, 'availableReplicas');
    if (unhealthy <= 0) continue;
    const down = Math.min(budget, unhealthy);
    scaled = (await scale(pass, r, rs, replicasOf(rs) - down)) || scaled;
    budget -= down;
  }
  if (scaled) return true;
  const available = sum(all(r), (rs) => statusCount(rs, 'availableReplicas'));
  let total = available - minAvailable;
  for (const rs of r.olds.filter((o) => replicasOf(o) > 0).sort(byCreation)) {
    if (total <= 0) break;
    const down = Math.min(replicasOf(rs), total);
    scaled = (await scale(pass, r, rs, replicasOf(rs) - down)) || scaled;
    total -= down;
  }
  return scaled;
}

async function rolloutRolling(pass: ControllerPass, r: Rollout, created: Set<string>): Promise<void> {
  if (!r.newRS) {
    r.newRS = await createNewReplicaSet(pass, r, newReplicas(r));
    if (r.newRS) created.add(r.d.metadata.uid!);
    return;
  }
  await syncRevision(pass, r);
  const replicas = replicasOf(r.d);
  const have = replicasOf(r.newRS);
  if (have !== replicas && (await scale(pass, r, r.newRS, have > replicas ? replicas : newReplicas(r)))) return;
  if (await scaleDownOld(pass, r)) return;
  if (complete(r)) await cleanup(pass, r);
}

async function rolloutRecreate(pass: ControllerPass, r: Rollout, created: Set<string>): Promise<void> {
  let scaled = false;
  for (const rs of r.olds) if (replicasOf(rs) > 0) scaled = (await scale(pass, r, rs, 0)) || scaled;
  if (scaled) return;
  // Old pods must be gone (not just terminating) before new ones start.
  const oldUids = new Set(r.olds.map((o) => o.metadata.uid));
  const running = pass.inNamespace('pods', r.d.metadata.namespace).some((p: Pod) => oldUids.has(controllerOf(p)?.uid) && !isTerminal(p));
  if (running) return;
  if (!r.newRS) {
    r.newRS = await createNewReplicaSet(pass, r, replicasOf(r.d));
    if (r.newRS) created.add(r.d.metadata.uid!);
    return;
  }
  await syncRevision(pass, r);
  await scale(pass, r, r.newRS, replicasOf(r.d));
  if (complete(r)) await cleanup(pass, r);
}

const complete = (r: Rollout) => !!r.newRS && statusCount(r.newRS, 'availableReplicas') === replicasOf(r.d) && replicasOf(r.newRS) === replicasOf(r.d)
  && r.olds.every((o) => replicasOf(o) === 0 && statusCount(o, 'replicas') === 0);

/** cleanupDeployment: old, empty ReplicaSets beyond revisionHistoryLimit go, lowest revision first. */
async function cleanup(pass: ControllerPass, r: Rollout): Promise<void> {
  const limit = r.d.spec.revisionHistoryLimit ?? 10;
  const cleanable = r.olds.filter((rs) => replicasOf(rs) === 0 && statusCount(rs, 'replicas') === 0 && !isDeleting(rs) && (rs.status?.observedGeneration ?? 0) >= (rs.metadata.generation ?? 1))
    .sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
  for (const rs of cleanable.slice(0, Math.max(0, cleanable.length - limit))) await pass.remove('replicasets', rs);
}

/** Rolls each deployment one step; returns the deployments that got a new ReplicaSet in this pass. */
export async function syncDeployments(pass: ControllerPass): Promise<Set<string>> {
  const created = new Set<string>();
  for (const d of [...pass.objects.deployments]) {
    if (isDeleting(d)) continue;
    const rses = (await pass.claim('replicasets', d, d.spec.selector)).filter((rs) => !isDeleting(rs));
    const newRS = findNewReplicaSet(d, rses);
    const r: Rollout = { d, newRS, olds: rses.filter((rs) => rs !== newRS) };
    if (d.spec.paused) {
      // A paused deployment still scales, but rolls nothing out.
      if (r.newRS && r.olds.every((o) => replicasOf(o) === 0)) await scale(pass, r, r.newRS, replicasOf(d));
      continue;
    }
    if (isRolling(d)) await rolloutRolling(pass, r, created);
    else await rolloutRecreate(pass, r, created);
  }
  return created;
}

/** calculateStatus + syncRolloutStatus, from the ReplicaSets as the pass left them. */
export function deploymentStatus(d: Workload, rses: Workload[], now: number, created: boolean): { status: Record<string, unknown>; nextDue?: number } {
  const newRS = findNewReplicaSet(d, rses);
  const replicas = replicasOf(d);
  const counts = {
    observedGeneration: d.metadata.generation ?? 1,
    replicas: sum(rses, (rs) => statusCount(rs, 'replicas')),
    updatedReplicas: newRS ? statusCount(newRS, 'replicas') : 0,
    readyReplicas: sum(rses, (rs) => statusCount(rs, 'readyReplicas')),
    availableReplicas: sum(rses, (rs) => statusCount(rs, 'availableReplicas')),
    unavailableReplicas: Math.max(0, replicas - sum(rses, (rs) => statusCount(rs, 'availableReplicas'))),
  };
  const old = (d.status ?? {}) as Record<string, number | undefined>;
  let conditions = [...((d.status?.conditions ?? []) as Condition[])];
  conditions = counts.availableReplicas >= replicas - maxUnavailable(d)
    ? setCondition(conditions, { type: 'Available', status: 'True', lastUpdateTime: '', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }, now)
    : setCondition(conditions, { type: 'Available', status: 'False', lastUpdateTime: '', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }, now);
  const progressing = conditions.find((c) => c.type === 'Progressing');
  const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
  const deadline = d.spec.progressDeadlineSeconds;
  let nextDue: number | undefined;
  const set = (status: string, reason: string, message: string, refresh = false) => {
    conditions = setCondition(conditions, { type: 'Progressing', status, lastUpdateTime: '', reason, message }, now, refresh);
  };
  if (d.spec.paused) set('Unknown', 'DeploymentPaused', 'Deployment is paused');
  else if (progressing?.reason === 'DeploymentPaused') set('Unknown', 'DeploymentResumed', 'Deployment is resumed');
  else if (created && newRS) set('True', 'NewReplicaSetCreated', `Created new replica set "${newRS.metadata.name}"`);
  else if (deadline != null && !(counts.replicas === counts.updatedReplicas && progressing?.reason === 'NewReplicaSetAvailable')) {
    const isComplete = counts.updatedReplicas === replicas && counts.replicas === replicas && counts.availableReplicas === replicas;
    const moved = counts.updatedReplicas > (old.updatedReplicas ?? 0) || counts.replicas - counts.updatedReplicas < (old.replicas ?? 0) - (old.updatedReplicas ?? 0)
      || counts.readyReplicas > (old.readyReplicas ?? 0) || counts.availableReplicas > (old.availableReplicas ?? 0);
    if (isComplete) set('True', 'NewReplicaSetAvailable', `${subject} has successfully progressed.`);
    else if (moved) set('True', 'ReplicaSetUpdated', `${subject} is progressing.`, true);
    else if (progressing && progressing.reason !== 'ProgressDeadlineExceeded') {
      const due = (ms(progressing.lastUpdateTime) || now) + deadline * 1000;
      if (due < now) set('False', 'ProgressDeadlineExceeded', `${subject} has timed out progressing.`);
      else nextDue = due + 1000;
    }
  }
  const order = ['Available', 'Progressing'];
  conditions.sort((a, b) => (order.indexOf(a.type) + 1 || 99) - (order.indexOf(b.type) + 1 || 99));
  const status = withoutZeros({ ...counts, conditions, ...(d.status?.collisionCount ? { collisionCount: d.status.collisionCount } : {}) });
  return { status, nextDue };
}

export async function syncDeploymentStatuses(pass: ControllerPass, created: Set<string>): Promise<void> {
  for (const d of [...pass.objects.deployments]) {
    if (isDeleting(d)) continue;
    const rses = pass.ownedBy('replicasets', d);
    let current: Workload | undefined = d;
    const newRS = findNewReplicaSet(d, rses);
    const revision = newRS ? String(revisionOf(newRS)) : undefined;
    if (revision && revision !== '0' && d.metadata.annotations?.[revisionAnnotation] !== revision) {
      current = await pass.update('deployments', d, (copy) => { copy.metadata.annotations = { ...(copy.metadata.annotations ?? {}), [revisionAnnotation]: revision }; }) as Workload | undefined;
      if (!current) continue;
    }
    const { status, nextDue } = deploymentStatus(current, rses, pass.now, created.has(d.metadata.uid!));
    pass.wake(nextDue);
    await pass.writeStatus('deployments', current, status);
  }
}
