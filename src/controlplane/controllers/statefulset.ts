import type { Pod } from '../../registry/resources/pods.ts';
import type { KubeObject } from '../../registry/types.ts';
import type { ControllerPass } from './context.ts';
import { revisionName, syncHistory } from './history.ts';
import { templateHash } from './names.ts';
import { availableAt, controllerRef, isDeleting, isPodReady, isTerminal, withoutZeros, type Workload } from './objects.ts';
import { podFromTemplate } from './template.ts';

/**
 * The StatefulSet controller (pkg/controller/statefulset): pods with stable
 * names `<sts>-0 … <sts>-N-1`. With OrderedReady (the default) pod i+1 is made
 * only once pod i is Running and Ready, scale-down removes the highest ordinal
 * first, one at a time, and a template change replaces pods from the highest
 * ordinal down (above the partition). Parallel makes and removes them all at once.
 * Each pod's claims (`<template>-<sts>-<ordinal>`, from volumeClaimTemplates) are made before
 * the pod and outlive it; with persistentVolumeClaimRetentionPolicy.whenDeleted=Delete they are
 * owned by the set, so the garbage collector removes them with it.
 */

const component = 'statefulset-controller';
const revisionLabel = 'controller-revision-hash';
const historyHashLabel = 'controller.kubernetes.io/hash';

const ordinalOf = (sts: Workload, pod: Pod): number | undefined => {
  const prefix = `${sts.metadata.name}-`;
  const name = pod.metadata.name ?? '';
  if (!name.startsWith(prefix) || !/^(0|[1-9]\d*)$/.test(name.slice(prefix.length))) return undefined;
  return Number(name.slice(prefix.length));
};
const runningAndReady = (pod: Pod) => pod.status?.phase === 'Running' && isPodReady(pod) && !isDeleting(pod);


const claimName = (template: KubeObject, sts: Workload, ordinal: number) => `${template.metadata.name}-${sts.metadata.name}-${ordinal}`;

/** updateStorage: a volume per claim template, mounting that pod's claim, before the template's other volumes. */
function podVolumes(sts: Workload, ordinal: number): Array<Record<string, unknown>> {
  const templates = sts.spec.volumeClaimTemplates ?? [];
  const names = new Set(templates.map((t) => t.metadata.name));
  return [
    ...templates.map((t) => ({ name: t.metadata.name, persistentVolumeClaim: { claimName: claimName(t, sts, ordinal) } })),
    ...(sts.spec.template?.spec?.volumes ?? []).filter((v) => !names.has(v.name)),
  ];
}

function statefulPod(sts: Workload, ordinal: number, revision: string) {
  const name = `${sts.metadata.name}-${ordinal}`;
  const volumes = sts.spec.volumeClaimTemplates?.length ? { volumes: podVolumes(sts, ordinal) } : {};
  return podFromTemplate(sts.spec.template, sts, name, {
    generateName: '',
    labels: { [revisionLabel]: revision, 'statefulset.kubernetes.io/pod-name': name, 'apps.kubernetes.io/pod-index': String(ordinal) },
    spec: { hostname: name, ...(sts.spec.serviceName ? { subdomain: sts.spec.serviceName } : {}), ...volumes },
  });
}

/**
 * createPersistentVolumeClaims: the claims of pod `ordinal` that do not exist yet, labelled with
 * the set's selector; false while one cannot be had (refused, or still going from an earlier life).
 */
async function ensureClaims(pass: ControllerPass, sts: Workload, ordinal: number): Promise<boolean> {
  const pod = `${sts.metadata.name}-${ordinal}`;
  const existing = pass.inNamespace('persistentvolumeclaims', sts.metadata.namespace);
  for (const template of sts.spec.volumeClaimTemplates ?? []) {
    const name = claimName(template, sts, ordinal);
    const found = existing.find((c) => c.metadata.name === name);
    if (found) {
      if (isDeleting(found)) return false;
      continue;
    }
    const labels = { ...(template.metadata.labels ?? {}), ...(sts.spec.selector?.matchLabels ?? {}) };
    const created = await pass.create('persistentvolumeclaims', sts.metadata.namespace, {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim',
      metadata: {
        name, namespace: sts.metadata.namespace,
        ...(Object.keys(labels).length ? { labels } : {}),
        ...(template.metadata.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
        ...(sts.spec.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete' ? { ownerReferences: [controllerRef(sts)] } : {}),
      },
      spec: structuredClone(template.spec ?? {}),
    } as KubeObject);
    if (!created) {
      await pass.event(sts, 'Warning', 'FailedCreate', `create Claim ${name} for Pod ${pod} in StatefulSet ${sts.metadata.name} failed error: ${pass.refused?.message ?? 'refused'}`, component);
      return false;
    }
    await pass.event(sts, 'Normal', 'SuccessfulCreate', `create Claim ${name} Pod ${pod} in StatefulSet ${sts.metadata.name} success`, component);
  }
  return true;
}

async function syncStatefulSet(pass: ControllerPass, sts: Workload): Promise<void> {
  const hash = templateHash(sts.spec.template ?? {}, sts.status?.collisionCount);
  const updateRevision = revisionName(sts, hash);
  const owned = await pass.claim('pods', sts, sts.spec.selector, (p) => ordinalOf(sts, p) !== undefined && !isTerminal(p));
  const inUse = new Set(owned.map((p) => (p.metadata.labels?.[revisionLabel] ?? '').slice(`${sts.metadata.name}-`.length)));
  await syncHistory(pass, sts, hash, historyHashLabel, new Set([hash, ...inUse]));
  const replicas = sts.spec.replicas ?? 1;
  const ordered = (sts.spec.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';
  const byOrdinal = new Map<number, Pod>();
  for (const pod of owned) {
    const i = ordinalOf(sts, pod);
    if (i !== undefined) byOrdinal.set(i, pod);
  }
  const event = (verb: 'create' | 'delete', pod: string) =>
    pass.event(sts, 'Normal', verb === 'create' ? 'SuccessfulCreate' : 'SuccessfulDelete', `${verb} Pod ${pod} in StatefulSet ${sts.metadata.name} successful`, component);
  const remove = async (pod: Pod) => { if (await pass.remove('pods', pod)) await event('delete', pod.metadata.name!); };

  // Failed pods are replaced (deleted here, made again below on a later pass).
  for (const pod of byOrdinal.values()) if (pod.status?.phase === 'Failed' && !isDeleting(pod)) await remove(pod);
  let blocked = false;
  for (let i = 0; i < replicas && !blocked; i++) {
    const pod = byOrdinal.get(i);
    if (!pod) {
      if (await ensureClaims(pass, sts, i) && await pass.create('pods', sts.metadata.namespace, statefulPod(sts, i, updateRevision))) await event('create', `${sts.metadata.name}-${i}`);
      blocked = ordered;
      continue;
    }
    if (ordered && !runningAndReady(pod)) blocked = true;
  }
  // Condemned ordinals go highest first; OrderedReady waits for each to be gone and the rest healthy.
  const condemned = [...byOrdinal.entries()].filter(([i]) => i >= replicas).sort((a, b) => b[0] - a[0]).map(([, p]) => p);
  for (const pod of condemned) {
    if (ordered && (blocked || condemned.some(isDeleting))) break;
    if (!isDeleting(pod)) await remove(pod);
    if (ordered) break;
  }
  // Rolling update: the highest outdated ordinal at or above the partition, once everything else is healthy.
  const partition = sts.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  if ((sts.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && !blocked && !condemned.length) {
    const pods = [...byOrdinal.entries()].filter(([i]) => i < replicas);
    const settled = pods.length === replicas && pods.every(([, p]) => runningAndReady(p));
    const outdated = pods.filter(([i, p]) => i >= partition && p.metadata.labels?.[revisionLabel] !== updateRevision).sort((a, b) => b[0] - a[0]);
    if (settled && outdated.length) await remove(outdated[0][1]);
  }

  const current = pass.objects.statefulsets.find((s) => s.metadata.uid === sts.metadata.uid) ?? sts;
  const pods = pass.ownedBy('pods', current).filter((p) => ordinalOf(sts, p) !== undefined);
  let ready = 0, available = 0, updated = 0, atCurrent = 0;
  let nextDue: number | undefined;
  let currentRevision = (current.status?.currentRevision as string | undefined) ?? updateRevision;
  for (const pod of pods) {
    if (isPodReady(pod) && !isDeleting(pod)) ready++;
    const at = isDeleting(pod) ? undefined : availableAt(pod, sts.spec.minReadySeconds);
    if (at !== undefined && at <= pass.now) available++;
    else if (at !== undefined) nextDue = Math.min(nextDue ?? Infinity, at);
    if (pod.metadata.labels?.[revisionLabel] === updateRevision) updated++;
    if (pod.metadata.labels?.[revisionLabel] === currentRevision) atCurrent++;
  }
  if (updated === replicas && pods.length === replicas && ready === replicas) { currentRevision = updateRevision; atCurrent = updated; }
  pass.wake(nextDue);
  const status = withoutZeros({
    observedGeneration: current.metadata.generation ?? 1, replicas: pods.length, readyReplicas: ready, currentReplicas: atCurrent, updatedReplicas: updated,
    currentRevision, updateRevision, collisionCount: current.status?.collisionCount ?? 0, availableReplicas: available,
  }, ['replicas', 'collisionCount', 'availableReplicas']);
  await pass.writeStatus('statefulsets', current, status);
}

export async function syncStatefulSets(pass: ControllerPass): Promise<void> {
  for (const sts of [...pass.objects.statefulsets]) {
    if (isDeleting(sts)) continue;
    await syncStatefulSet(pass, sts);
  }
}
