import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemClock, type Queue } from '../src/ports.ts';
import { MemoryStore } from '../src/storage/memory.ts';
import { budgetedStore } from '../src/tenancy/budgets.ts';
import type { KubeObject } from '../src/registry/types.ts';
import { startControlPlane, type ControlPlaneCluster, type ControlPlaneOptions } from './helpers/controlplane.ts';
import { countingStore } from '../harness/countingStore.ts';
import type { ManualClock } from '../src/clock.ts';
import { everyMessageTwice, seededRandom } from './helpers/queueFaults.ts';
import { bootstrapPolicyFootprint } from '../src/tenancy/bootstrapPolicy.ts';

/**
 * The controllers on a manual clock: queue deliveries are explicit, so rollout
 * steps, back-offs and cron ticks can be followed one delivery at a time, and
 * duplicated or reordered events can be shown to change nothing.
 */

type Obj = KubeObject & { spec?: Record<string, any>; status?: Record<string, any> };
interface Ref { kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }

const groups: Record<string, string> = { deployments: 'apps', replicasets: 'apps', daemonsets: 'apps', statefulsets: 'apps', controllerrevisions: 'apps', jobs: 'batch', cronjobs: 'batch' };

/** A small client over the registry, as the tests use it. */
function client(cluster: ControlPlaneCluster) {
  const r = cluster.registry();
  const def = (plural: string) => cluster.catalog.find(groups[plural] ?? '', 'v1', plural)!;
  return {
    create: (plural: string, obj: KubeObject, ns = 'default') => r.create(def(plural), ns, obj),
    get: async (plural: string, name: string, ns = 'default') => (await r.get(def(plural), ns, name)) as Obj,
    find: async (plural: string, name: string, ns = 'default') => r.get(def(plural), ns, name).then((o) => o as Obj, () => undefined),
    list: async (plural: string, ns: string | undefined = 'default', labelSelector?: string) => (await r.list(def(plural), ns, { labelSelector })).items as Obj[],
    mutate: (plural: string, name: string, change: (o: Obj) => void, ns = 'default') => r.mutate(def(plural), ns, name, (o) => { change(o as Obj); return o; }),
    delete: (plural: string, name: string, options: Parameters<typeof r.delete>[3] = {}, ns = 'default') => r.delete(def(plural), ns, name, options),
    /** Event messages for one object, oldest first. */
    events: async (name: string, reason?: string, ns = 'default') => ((await r.list(def('events'), ns)).items as Array<Obj & { reason: string; message: string; count: number; involvedObject: { name: string }; firstTimestamp: string }>)
      .filter((e) => e.involvedObject.name === name && (!reason || e.reason === reason))
      .sort((a, b) => (a.firstTimestamp < b.firstTimestamp ? -1 : a.firstTimestamp > b.firstTimestamp ? 1 : a.metadata.name! < b.metadata.name! ? -1 : 1)),
  };
}

const template = (app: string, image = 'nginx', extra: Record<string, unknown> = {}) => ({
  metadata: { labels: { app } }, spec: { containers: [{ name: app, image }], ...extra },
});
const deployment = (name: string, replicas: number, spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name }, spec: { replicas, selector: { matchLabels: { app: name } }, template: template(name), ...spec },
} as KubeObject);
const job = (name: string, command: string[], spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name, image: 'busybox', command }] } }, ...spec },
} as KubeObject);

const controllerOf = (o: Obj) => (o.metadata.ownerReferences as Ref[] | undefined)?.find((r) => r.controller);
const live = (pods: Obj[]) => pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
const ready = (p: Obj) => !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
const ownedBy = (pods: Obj[], owner: Obj) => pods.filter((p) => controllerOf(p)?.uid === owner.metadata.uid);
const suffixRe = '[bcdfghjklmnpqrstvwxz2456789]{5}';

/** A seeded generator (a failing run replays), and every message delivered twice, late and reordered. */
const random = seededRandom;
const duplicating = (rand: () => number) => (queue: Queue): Queue => everyMessageTwice(queue, rand);

async function start(options: Partial<ControlPlaneOptions> = {}) {
  const cluster = await startControlPlane({ mode: 'manual', serve: false, ...options });
  await cluster.drain();
  return { cluster, k: client(cluster) };
}

/** Delivers one message at a time until the queue is idle, checking an invariant after each. */
async function stepUntilIdle(cluster: ControlPlaneCluster, check: () => Promise<void>, maxMs = 600_000): Promise<number> {
  const until = cluster.clock.now().getTime() + maxMs;
  let steps = 0;
  for (;;) {
    const { idle, delivered } = await cluster.queue.drain({ maxDeliveries: 1 });
    steps += delivered;
    await check();
    if (idle || cluster.clock.now().getTime() > until) return steps;
  }
}

describe('ReplicaSet controller', () => {
  it('creates owned pods from the template, scales down unscheduled pods first, replaces deleted and released pods', async () => {
    const { cluster, k } = await start();
    await k.create('replicasets', { metadata: { name: 'web' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: template('web') } } as KubeObject);
    await cluster.drain();
    const rs = await k.get('replicasets', 'web');
    let pods = await k.list('pods');
    assert.equal(pods.length, 3);
    for (const pod of pods) {
      assert.match(pod.metadata.name!, new RegExp(`^web-${suffixRe}$`));
      assert.equal(pod.metadata.generateName, 'web-');
      assert.deepEqual(pod.metadata.labels, { app: 'web' });
      assert.deepEqual(pod.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      assert.equal(pod.spec?.nodeName, 'node01', 'scheduled');
      assert.equal(pod.status?.phase, 'Running');
      assert.equal(pod.spec?.serviceAccountName, 'default', 'went through the pod create path');
    }
    assert.deepEqual(rs.status, { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    assert.deepEqual((await k.events('web', 'SuccessfulCreate')).map((e) => e.message).sort(), pods.map((p) => `Created pod: ${p.metadata.name}`).sort());

    // A fourth pod that cannot be scheduled is the first to go on scale-down.
    await k.mutate('nodes', 'node01', (n) => { n.spec!.unschedulable = true; });
    await k.mutate('replicasets', 'web', (o) => { o.spec!.replicas = 4; });
    await cluster.drain(60_000);
    const pending = (await k.list('pods')).find((p) => !p.spec?.nodeName)!;
    assert.ok(pending, 'a pending fourth pod');
    await k.mutate('replicasets', 'web', (o) => { o.spec!.replicas = 3; });
    await cluster.drain(60_000);
    assert.equal(await k.find('pods', pending.metadata.name!), undefined, 'the unscheduled pod was deleted');
    assert.equal(live(await k.list('pods')).length, 3);
    assert.deepEqual((await k.events('web', 'SuccessfulDelete')).map((e) => e.message), [`Deleted pod: ${pending.metadata.name}`]);
    await k.mutate('nodes', 'node01', (n) => { delete n.spec!.unschedulable; });

    await k.mutate('replicasets', 'web', (o) => { o.spec!.replicas = 1; });
    await cluster.drain(60_000);
    pods = await k.list('pods');
    assert.equal(pods.length, 1);
    assert.deepEqual((await k.get('replicasets', 'web')).status, { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 4 });

    // A deleted pod is replaced under a new name.
    await k.delete('pods', pods[0].metadata.name!);
    await cluster.drain(60_000);
    const replaced = await k.list('pods');
    assert.equal(replaced.length, 1);
    assert.notEqual(replaced[0].metadata.name, pods[0].metadata.name);
    assert.equal(replaced[0].status?.phase, 'Running');

    // A pod relabelled out of the selector is released (kept, no owner) and replaced.
    await k.mutate('pods', replaced[0].metadata.name!, (p) => { p.metadata.labels = { app: 'debug' }; });
    await cluster.drain(60_000);
    const released = await k.get('pods', replaced[0].metadata.name!);
    assert.deepEqual(released.metadata.ownerReferences, []);
    assert.equal(ownedBy(await k.list('pods', 'default', 'app=web'), rs).length, 1);
    // ... and an orphan that matches is adopted instead of creating one more.
    await k.mutate('pods', replaced[0].metadata.name!, (p) => { p.metadata.labels = { app: 'web' }; });
    await k.mutate('replicasets', 'web', (o) => { o.spec!.replicas = 2; });
    await cluster.drain(60_000);
    const adopted = await k.list('pods', 'default', 'app=web');
    assert.equal(adopted.length, 2);
    assert.ok(adopted.every((p) => controllerOf(p)?.uid === rs.metadata.uid));
    await cluster.close();
  });
});

describe('object limit', () => {
  it('controllers stop creating at the cluster object limit and say so in a FailedCreate event', async () => {
    // The budget is the store's, as in the entries: controllers meet it like any other writer.
    const budget = { maxObjects: Infinity, maxBytes: Infinity };
    const { cluster, k } = await start({ store: budgetedStore(new MemoryStore(), budget, systemClock, 0) });
    // The student's objects: the RBAC bootstrap policy's room is added to the budget.
    const objects = (await cluster.ports.store.cluster('default').usage()).objects - bootstrapPolicyFootprint('default').objects;
    budget.maxObjects = objects + 10;
    await k.create('replicasets', { metadata: { name: 'huge' }, spec: { replicas: 100_000, selector: { matchLabels: { app: 'huge' } }, template: template('huge') } } as KubeObject);
    await cluster.drain(60_000);
    const pods = (await k.list('pods')).length;
    assert.ok(pods > 0 && pods < 10, `${pods} pods`);
    const [failed] = await k.events('huge', 'FailedCreate');
    assert.equal(failed.type, 'Warning');
    assert.equal(failed.message, `Error creating: cluster "default" has reached its limit of ${objects + 10} objects: delete some before creating more`);
    await cluster.close();
  });
});

describe('ResourceQuota and the controllers', () => {
  it('a ReplicaSet held back by a quota creates the rest as soon as the quota is raised, not at its next wake-up', async () => {
    const { cluster, k } = await start();
    const quotas = cluster.catalog.find('', 'v1', 'resourcequotas')!;
    await cluster.registry().create(quotas, 'default', { metadata: { name: 'pods' }, spec: { hard: { pods: '2' } } } as KubeObject);
    await cluster.drain();
    await k.create('replicasets', { metadata: { name: 'web' }, spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, template: template('web') } } as KubeObject);
    await cluster.drain(1000);
    assert.equal((await k.list('pods')).length, 2);
    assert.match((await k.events('web', 'FailedCreate'))[0].message, /exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2/);
    await cluster.registry().mutate(quotas, 'default', 'pods', (o) => { (o as Obj).spec!.hard = { pods: '10' }; return o; });
    // No time passes: only the quota's own change events are delivered.
    await cluster.drain(0);
    assert.equal((await k.list('pods')).length, 4);
    await cluster.close();
  });
});

describe('Deployment controller', () => {
  it('rolls out a template change within maxSurge and maxUnavailable, with revisions and the real events', async () => {
    const { cluster, k } = await start();
    await k.create('deployments', deployment('web', 4, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } }));
    await cluster.drain();
    const [first] = await k.list('replicasets');
    const hash = first.metadata.labels!['pod-template-hash'];
    assert.match(hash, /^[4-9bcdf]{8,10}$/, 'a safe-encoded FNV hash');
    assert.equal(first.metadata.name, `web-${hash}`);
    assert.deepEqual(first.spec!.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
    assert.deepEqual(first.metadata.annotations, { 'deployment.kubernetes.io/desired-replicas': '4', 'deployment.kubernetes.io/max-replicas': '5', 'deployment.kubernetes.io/revision': '1' });
    const pods = await k.list('pods');
    assert.equal(pods.length, 4);
    assert.ok(pods.every((p) => p.metadata.labels!['pod-template-hash'] === hash && p.metadata.name!.startsWith(`web-${hash}-`)));
    let d = await k.get('deployments', 'web');
    assert.equal(d.metadata.annotations!['deployment.kubernetes.io/revision'], '1');
    const conditions = (o: Obj) => o.status!.conditions.map((c: Record<string, string>) => `${c.type}=${c.status}/${c.reason}: ${c.message}`);
    assert.deepEqual(conditions(d), ['Available=True/MinimumReplicasAvailable: Deployment has minimum availability.', `Progressing=True/NewReplicaSetAvailable: ReplicaSet "web-${hash}" has successfully progressed.`]);
    assert.deepEqual({ ...d.status, conditions: undefined }, { observedGeneration: 1, replicas: 4, updatedReplicas: 4, readyReplicas: 4, availableReplicas: 4, conditions: undefined });
    assert.deepEqual((await k.events('web', 'ScalingReplicaSet')).map((e) => e.message), [`Scaled up replica set web-${hash} from 0 to 4`]);

    await k.mutate('deployments', 'web', (o) => { o.spec!.template.spec.containers[0].image = 'nginx:1.28'; });
    let maxPlanned = 0, minAvailable = Infinity;
    await stepUntilIdle(cluster, async () => {
      const rses = await k.list('replicasets');
      maxPlanned = Math.max(maxPlanned, rses.reduce((n, rs) => n + rs.spec!.replicas, 0));
      minAvailable = Math.min(minAvailable, (await k.list('pods')).filter(ready).length);
    });
    assert.equal(maxPlanned, 5, 'never more than replicas + maxSurge');
    assert.equal(minAvailable, 3, 'never fewer than replicas - maxUnavailable available');
    const rses = await k.list('replicasets');
    const fresh = rses.find((rs) => rs.metadata.name !== first.metadata.name)!;
    const newHash = fresh.metadata.labels!['pod-template-hash'];
    assert.notEqual(newHash, hash);
    assert.equal(fresh.spec!.replicas, 4);
    assert.equal(fresh.metadata.annotations!['deployment.kubernetes.io/revision'], '2');
    assert.equal((await k.get('replicasets', first.metadata.name!)).spec!.replicas, 0);
    const after = live(await k.list('pods'));
    assert.equal(after.length, 4);
    assert.ok(after.every((p) => p.metadata.labels!['pod-template-hash'] === newHash && p.spec!.containers[0].image === 'nginx:1.28'));
    d = await k.get('deployments', 'web');
    assert.equal(d.metadata.annotations!['deployment.kubernetes.io/revision'], '2');
    assert.equal(d.status!.observedGeneration, 2);
    assert.deepEqual(conditions(d)[1], `Progressing=True/NewReplicaSetAvailable: ReplicaSet "web-${newHash}" has successfully progressed.`);
    const messages = (await k.events('web', 'ScalingReplicaSet')).map((e) => e.message);
    assert.ok(messages.includes(`Scaled up replica set web-${newHash} from 0 to 1`), messages.join('\n'));
    assert.ok(messages.includes(`Scaled down replica set web-${hash} from 1 to 0`), messages.join('\n'));

    // Rolling back to the first template brings its ReplicaSet back as revision 3, with no new set.
    await k.mutate('deployments', 'web', (o) => { o.spec!.template.spec.containers[0].image = 'nginx'; });
    await cluster.drain();
    const back = await k.get('replicasets', first.metadata.name!);
    assert.equal(back.spec!.replicas, 4);
    assert.equal(back.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
    assert.equal((await k.list('replicasets')).length, 2);
    await cluster.close();
  });

  it('a rollout that makes no progress for progressDeadlineSeconds: ProgressDeadlineExceeded, on a queue wake-up', async () => {
    const { cluster, k } = await start();
    await k.create('deployments', { ...deployment('stuck', 2, { progressDeadlineSeconds: 60 }), spec: { ...deployment('stuck', 2).spec as object, progressDeadlineSeconds: 60, template: template('stuck', 'nginx:does-not-exist') } } as KubeObject);
    await cluster.drain(30_000);
    const [rs] = await k.list('replicasets');
    const progressing = (o: Obj) => o.status!.conditions.map((c: Record<string, string>) => `${c.type}=${c.status}/${c.reason}: ${c.message}`);
    assert.deepEqual(progressing(await k.get('deployments', 'stuck')), [
      'Available=False/MinimumReplicasUnavailable: Deployment does not have minimum availability.',
      `Progressing=True/NewReplicaSetCreated: Created new replica set "${rs.metadata.name}"`,
    ]);
    await cluster.drain(60_000);
    assert.deepEqual(progressing(await k.get('deployments', 'stuck'))[1], `Progressing=False/ProgressDeadlineExceeded: ReplicaSet "${rs.metadata.name}" has timed out progressing.`);
    await cluster.close();
  });

  it('Recreate: every old pod is gone before a new one starts; scaling resizes the current set', async () => {
    const { cluster, k } = await start();
    await k.create('deployments', deployment('rec', 3, { strategy: { type: 'Recreate' } }));
    await cluster.drain();
    const [old] = await k.list('replicasets');
    await k.mutate('deployments', 'rec', (o) => { o.spec!.template.spec.containers[0].image = 'httpd'; });
    let overlapped = false;
    await stepUntilIdle(cluster, async () => {
      const pods = await k.list('pods');
      const olds = pods.filter((p) => p.metadata.labels!['pod-template-hash'] === old.metadata.labels!['pod-template-hash']);
      if (olds.length && pods.length > olds.length) overlapped = true;
    });
    assert.equal(overlapped, false);
    const pods = await k.list('pods');
    assert.equal(pods.length, 3);
    assert.ok(pods.every((p) => p.spec!.containers[0].image === 'httpd' && p.status!.phase === 'Running'));
    await k.mutate('deployments', 'rec', (o) => { o.spec!.replicas = 5; });
    await cluster.drain();
    assert.equal(live(await k.list('pods')).length, 5);
    assert.match((await k.get('deployments', 'rec')).status!.conditions[1].reason, /NewReplicaSetAvailable/);
    await cluster.close();
  });
});

describe('Job controller', () => {
  it('runs to completion: SuccessCriteriaMet + Complete, counts, times and events', async () => {
    const { cluster, k } = await start();
    await k.create('jobs', job('hello', ['echo', 'hello']));
    await cluster.drain();
    const j = await k.get('jobs', 'hello');
    assert.deepEqual(j.status!.conditions.map((c: Record<string, string>) => `${c.type}=${c.status}/${c.reason}`), ['SuccessCriteriaMet=True/CompletionsReached', 'Complete=True/CompletionsReached']);
    assert.equal(j.status!.succeeded, 1);
    assert.equal(j.status!.active, undefined);
    assert.deepEqual([j.status!.ready, j.status!.terminating, j.status!.uncountedTerminatedPods], [0, 0, {}]);
    assert.ok(j.status!.startTime <= j.status!.completionTime);
    const [pod] = await k.list('pods');
    assert.match(pod.metadata.name!, new RegExp(`^hello-${suffixRe}$`));
    assert.equal(pod.metadata.labels!['job-name'], 'hello');
    assert.equal(pod.metadata.labels!['batch.kubernetes.io/controller-uid'], j.metadata.uid);
    assert.equal(pod.status!.phase, 'Succeeded');
    assert.deepEqual((await k.events('hello')).map((e) => `${e.reason}: ${e.message}`), [`SuccessfulCreate: Created pod: ${pod.metadata.name}`, 'Completed: Job completed']);
    await cluster.close();
  });

  it('replaces failed pods after a doubling back-off and fails with BackoffLimitExceeded', async () => {
    const { cluster, k } = await start();
    await k.create('jobs', job('bad', ['sh', '-c', 'exit 1'], { backoffLimit: 2 }));
    await cluster.drain();
    const j = await k.get('jobs', 'bad');
    assert.deepEqual(j.status!.conditions.map((c: Record<string, string>) => `${c.type}=${c.status}/${c.reason}`), ['FailureTarget=True/BackoffLimitExceeded', 'Failed=True/BackoffLimitExceeded']);
    assert.equal(j.status!.failed, 3);
    assert.equal(j.status!.completionTime, undefined);
    const pods = (await k.list('pods')).sort((a, b) => (a.metadata.creationTimestamp! < b.metadata.creationTimestamp! ? -1 : 1));
    assert.equal(pods.length, 3);
    assert.ok(pods.every((p) => p.status!.phase === 'Failed'));
    const finished = (p: Obj) => Date.parse(p.status!.containerStatuses[0].state.terminated.finishedAt);
    assert.equal(Date.parse(pods[1].metadata.creationTimestamp!) - finished(pods[0]), 10_000);
    assert.equal(Date.parse(pods[2].metadata.creationTimestamp!) - finished(pods[1]), 20_000);
    const [failed] = await k.events('bad', 'BackoffLimitExceeded');
    assert.equal(failed.type, 'Warning');
    assert.equal(failed.message, 'Job has reached the specified backoff limit');
    await cluster.close();
  });

  it('restartPolicy OnFailure: container restarts count toward backoffLimit, then the pod is stopped', async () => {
    const { cluster, k } = await start();
    await k.create('jobs', { metadata: { name: 'flaky' }, spec: { backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'f', image: 'busybox', command: ['sh', '-c', 'exit 1'] }] } } } } as KubeObject);
    await cluster.drain(10 * 60_000);
    const j = await k.get('jobs', 'flaky');
    assert.deepEqual(j.status!.conditions.map((c: Record<string, string>) => `${c.type}=${c.reason}`), ['FailureTarget=BackoffLimitExceeded', 'Failed=BackoffLimitExceeded']);
    assert.deepEqual(await k.list('pods'), [], 'the one pod, restarted in place, was deleted');
    assert.equal((await k.events('flaky', 'SuccessfulCreate')).length, 1);
    await cluster.close();
  });

  it('ttlSecondsAfterFinished: a finished job and its pods go after the TTL', async () => {
    const { cluster, k } = await start();
    await k.create('jobs', job('brief', ['echo', 'x'], { ttlSecondsAfterFinished: 30 }));
    await cluster.drain(20_000);
    assert.ok((await k.get('jobs', 'brief')).status!.completionTime);
    await cluster.drain(60_000);
    assert.equal(await k.find('jobs', 'brief'), undefined);
    assert.deepEqual(await k.list('pods'), []);
    await cluster.close();
  });

  it('honours parallelism and completions', async () => {
    const { cluster, k } = await start();
    await k.create('jobs', job('batch', ['sh', '-c', 'sleep 5'], { completions: 5, parallelism: 2 }));
    let most = 0;
    await stepUntilIdle(cluster, async () => { most = Math.max(most, live(await k.list('pods')).length); });
    assert.equal(most, 2);
    const j = await k.get('jobs', 'batch');
    assert.equal(j.status!.succeeded, 5);
    assert.equal((await k.list('pods')).length, 5);
    assert.ok(j.status!.conditions.some((c: Record<string, string>) => c.type === 'Complete' && c.status === 'True'));
    await cluster.close();
  });
});

describe('CronJob controller', () => {
  it('creates <cronjob>-<minutes> jobs at each tick, on queue wake-ups, and keeps the history limit', async () => {
    const { cluster, k } = await start();
    // Start two minutes past a 5-minute boundary, so the extra minute below never holds a tick.
    const now = cluster.clock.now().getTime();
    (cluster.clock as ManualClock).advanceTo(Math.ceil(now / 300_000) * 300_000 + 120_000);
    await cluster.drain();
    await k.create('cronjobs', {
      metadata: { name: 'tick' },
      spec: { schedule: '*/5 * * * *', successfulJobsHistoryLimit: 2, jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'tick', image: 'busybox', command: ['echo', 'tick'] }] } } } } },
    } as KubeObject);
    const start0 = cluster.clock.now().getTime();
    // Half an hour holds exactly six 5-minute ticks wherever it starts; one more minute lets the last job finish.
    await cluster.drain(30 * 60_000);
    const end = cluster.clock.now().getTime();
    await cluster.drain(60_000);
    const ticks: number[] = [];
    for (let t = Math.floor(start0 / 300_000) * 300_000 + 300_000; t <= end; t += 300_000) ticks.push(t);
    assert.equal(ticks.length, 6);
    const created = (await k.events('tick', 'SuccessfulCreate')).map((e) => e.message);
    assert.deepEqual(created, ticks.map((t) => `Created job tick-${t / 60_000}`));
    const jobs = await k.list('jobs');
    assert.deepEqual(jobs.map((j) => j.metadata.name).sort(), ticks.slice(-2).map((t) => `tick-${t / 60_000}`).sort());
    for (const j of jobs) assert.equal(controllerOf(j)?.kind, 'CronJob');
    const cj = await k.get('cronjobs', 'tick');
    assert.equal(cj.status!.lastScheduleTime, new Date(ticks[5]).toISOString().replace('.000', ''));
    assert.ok(cj.status!.lastSuccessfulTime >= cj.status!.lastScheduleTime);
    assert.equal(cj.status!.active, undefined);
    assert.equal((await k.events('tick', 'SuccessfulDelete')).length, 4);
    assert.equal((await k.events('tick', 'SawCompletedJob')).length, 6);
    // The pods of pruned jobs went with them.
    assert.equal((await k.list('pods')).length, 2);

    await k.mutate('cronjobs', 'tick', (o) => { o.spec!.suspend = true; });
    await cluster.drain(20 * 60_000);
    assert.equal((await k.events('tick', 'SuccessfulCreate')).length, 6, 'a suspended cronjob creates nothing');
    await cluster.close();
  });
});

describe('CronJob schedules', () => {
  it('a daily schedule in a time zone fires at that wall-clock time each day, far wake-ups re-armed on the way', async () => {
    // Delays capped as Cloudflare Queues cap them.
    const capped = (queue: Queue): Queue => ({ send: (m, o = {}) => queue.send(m, { ...o, delaySeconds: o.delaySeconds === undefined ? undefined : Math.min(o.delaySeconds, 43_200) }) });
    const { cluster, k } = await start({ wrapQueue: capped });
    await k.create('cronjobs', {
      metadata: { name: 'daily' },
      spec: { schedule: '30 9 * * *', timeZone: 'America/New_York', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'd', image: 'busybox', command: ['true'] }] } } } } },
    } as KubeObject);
    await cluster.drain(2 * 86_400_000);
    const jobs = await k.list('jobs');
    assert.equal(jobs.length, 2);
    const newYork = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    for (const j of jobs) {
      const at = Date.parse(j.metadata.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp']);
      assert.equal(newYork.format(at), '09:30');
      assert.equal(j.metadata.name, `daily-${at / 60_000}`);
    }
    await cluster.close();
  });
});

describe('DaemonSet controller', () => {
  it('one pod per eligible node, placed by the scheduler; taints and node labels decide; template changes roll node by node', async () => {
    const { cluster, k } = await start({ nodes: ['controlplane', 'node01', 'node02'] });
    const proxy = await k.get('daemonsets', 'kube-proxy', 'kube-system');
    assert.equal(proxy.status!.desiredNumberScheduled, 3, 'kube-proxy runs everywhere');
    assert.equal(proxy.status!.numberReady, 3);

    await k.create('daemonsets', { metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent') } } as KubeObject);
    await cluster.drain(60_000);
    let pods = await k.list('pods', 'default', 'app=agent');
    assert.deepEqual(pods.map((p) => p.spec!.nodeName).sort(), ['node01', 'node02'], 'not on the tainted control plane');
    for (const pod of pods) {
      assert.match(pod.metadata.name!, new RegExp(`^agent-${suffixRe}$`));
      assert.deepEqual(pod.spec!.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms, [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [pod.spec!.nodeName] }] }]);
      assert.ok(pod.spec!.tolerations.some((t: Record<string, string>) => t.key === 'node.kubernetes.io/unschedulable'));
      assert.equal((await k.events(pod.metadata.name!, 'Scheduled')).length, 1, 'bound by the default scheduler');
    }
    let ds = await k.get('daemonsets', 'agent');
    assert.deepEqual(ds.status, { currentNumberScheduled: 2, numberMisscheduled: 0, desiredNumberScheduled: 2, numberReady: 2, observedGeneration: 1, updatedNumberScheduled: 2, numberAvailable: 2 });

    // A template change replaces the pods node by node (maxUnavailable 1).
    const oldHash = pods[0].metadata.labels!['controller-revision-hash'];
    await k.mutate('daemonsets', 'agent', (o) => { o.spec!.template.spec.containers[0].image = 'nginx:1.28'; });
    let fewestReady = Infinity;
    await stepUntilIdle(cluster, async () => { fewestReady = Math.min(fewestReady, (await k.list('pods', 'default', 'app=agent')).filter(ready).length); });
    assert.equal(fewestReady, 1);
    pods = await k.list('pods', 'default', 'app=agent');
    assert.equal(pods.length, 2);
    assert.ok(pods.every((p) => p.spec!.containers[0].image === 'nginx:1.28' && p.metadata.labels!['controller-revision-hash'] !== oldHash && p.status!.phase === 'Running'));

    // A nodeSelector narrows it to labelled nodes.
    await k.mutate('daemonsets', 'agent', (o) => { o.spec!.template.spec.nodeSelector = { disk: 'ssd' }; });
    await cluster.drain(60_000);
    assert.equal(live(await k.list('pods', 'default', 'app=agent')).length, 0);
    await k.mutate('nodes', 'node02', (n) => { n.metadata.labels = { ...n.metadata.labels, disk: 'ssd' }; });
    await cluster.drain(60_000);
    pods = live(await k.list('pods', 'default', 'app=agent'));
    assert.deepEqual(pods.map((p) => p.spec!.nodeName), ['node02']);
    assert.equal(pods[0].status!.phase, 'Running');
    ds = await k.get('daemonsets', 'agent');
    assert.deepEqual([ds.status!.desiredNumberScheduled, ds.status!.currentNumberScheduled, ds.status!.numberReady], [1, 1, 1]);
    assert.equal((await k.list('controllerrevisions')).length, 3, 'one revision per template');
    await cluster.close();
  });
});

describe('StatefulSet controller', () => {
  it('creates <sts>-0..N-1 in order, each once the previous is Running and Ready, and scales down in reverse', async () => {
    const { cluster, k } = await start();
    await k.create('statefulsets', { metadata: { name: 'db' }, spec: { serviceName: 'db', replicas: 3, selector: { matchLabels: { app: 'db' } }, template: template('db', 'redis') } } as KubeObject);
    const seenWhenCreated = new Map<string, string[]>();
    await stepUntilIdle(cluster, async () => {
      const pods = await k.list('pods');
      for (const p of pods) if (!seenWhenCreated.has(p.metadata.name!)) seenWhenCreated.set(p.metadata.name!, pods.filter((o) => o !== p && ready(o)).map((o) => o.metadata.name!).sort());
    });
    assert.deepEqual([...seenWhenCreated.entries()], [['db-0', []], ['db-1', ['db-0']], ['db-2', ['db-0', 'db-1']]]);
    const pod = await k.get('pods', 'db-1');
    assert.equal(pod.spec!.hostname, 'db-1');
    assert.equal(pod.spec!.subdomain, 'db');
    assert.equal(pod.metadata.labels!['statefulset.kubernetes.io/pod-name'], 'db-1');
    assert.equal(pod.metadata.labels!['apps.kubernetes.io/pod-index'], '1');
    let sts = await k.get('statefulsets', 'db');
    assert.equal(sts.status!.readyReplicas, 3);
    assert.equal(sts.status!.currentRevision, sts.status!.updateRevision);
    assert.equal(pod.metadata.labels!['controller-revision-hash'], sts.status!.updateRevision);

    await k.mutate('statefulsets', 'db', (o) => { o.spec!.replicas = 1; });
    await cluster.drain();
    assert.deepEqual((await k.list('pods')).map((p) => p.metadata.name), ['db-0']);
    assert.deepEqual((await k.events('db', 'SuccessfulDelete')).map((e) => e.message), ['delete Pod db-2 in StatefulSet db successful', 'delete Pod db-1 in StatefulSet db successful']);
    sts = await k.get('statefulsets', 'db');
    assert.equal(sts.status!.replicas, 1);
    await cluster.close();
  });
});

describe('garbage collection by ownerReferences', () => {
  it('Background: deleting a Deployment removes its ReplicaSets and their pods; a Job its pods', async () => {
    const { cluster, k } = await start();
    await k.create('deployments', deployment('web', 2));
    await k.create('jobs', job('once', ['echo', 'hi']));
    await cluster.drain();
    assert.equal((await k.list('pods')).length, 3);
    await k.delete('deployments', 'web');
    await k.delete('jobs', 'once', { propagationPolicy: 'Background' });
    await cluster.drain();
    assert.deepEqual(await k.list('replicasets'), []);
    assert.deepEqual(await k.list('pods'), []);
    await cluster.close();
  });

  it('Orphan: the owner goes, its dependents stay without the reference (and keep running)', async () => {
    const { cluster, k } = await start();
    await k.create('deployments', deployment('web', 2));
    await cluster.drain();
    const deleting = await k.delete('deployments', 'web', { propagationPolicy: 'Orphan' });
    assert.deepEqual(deleting.metadata.finalizers, ['orphan']);
    assert.ok(deleting.metadata.deletionTimestamp);
    await cluster.drain();
    assert.equal(await k.find('deployments', 'web'), undefined);
    const [rs] = await k.list('replicasets');
    assert.deepEqual(rs.metadata.ownerReferences, []);
    const pods = await k.list('pods');
    assert.equal(pods.length, 2);
    assert.ok(pods.every((p) => controllerOf(p)?.uid === rs.metadata.uid));
    // A new Deployment with the same selector and template adopts the orphaned ReplicaSet.
    await k.create('deployments', deployment('web', 2));
    await cluster.drain();
    const again = await k.list('replicasets');
    assert.equal(again.length, 1);
    assert.equal(controllerOf(again[0])?.name, 'web');
    assert.deepEqual((await k.list('pods')).map((p) => p.metadata.name).sort(), pods.map((p) => p.metadata.name).sort());
    await cluster.close();
  });

  it('Foreground: the owner waits with foregroundDeletion until its dependents are gone', async () => {
    const { cluster, k } = await start();
    await k.create('deployments', deployment('web', 2));
    await cluster.drain();
    const deleting = await k.delete('deployments', 'web', { propagationPolicy: 'Foreground' });
    assert.deepEqual(deleting.metadata.finalizers, ['foregroundDeletion']);
    let sawOwnerWithoutPods = false, ownerGoneEarly = false;
    await stepUntilIdle(cluster, async () => {
      const owner = await k.find('deployments', 'web');
      const pods = await k.list('pods');
      if (owner && !pods.length) sawOwnerWithoutPods = true;
      if (!owner && pods.length) ownerGoneEarly = true;
    });
    assert.equal(ownerGoneEarly, false, 'the deployment outlived its pods');
    assert.equal(sawOwnerWithoutPods, true);
    assert.equal(await k.find('deployments', 'web'), undefined);
    assert.deepEqual(await k.list('replicasets'), []);
    await cluster.close();
  });
});

/** A mix of every controller, then changes to it. */
async function workloadScenario(cluster: ControlPlaneCluster): Promise<void> {
  const k = client(cluster);
  await cluster.drain();
  await k.create('deployments', deployment('web', 3));
  await k.create('replicasets', { metadata: { name: 'bare' }, spec: { replicas: 2, selector: { matchLabels: { app: 'bare' } }, template: template('bare') } } as KubeObject);
  await k.create('jobs', job('work', ['sh', '-c', 'sleep 3'], { completions: 3, parallelism: 2 }));
  await k.create('daemonsets', { metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent') } } as KubeObject);
  await k.create('statefulsets', { metadata: { name: 'db' }, spec: { replicas: 2, selector: { matchLabels: { app: 'db' } }, template: template('db', 'redis') } } as KubeObject);
  await cluster.drain(60_000);
  await k.mutate('deployments', 'web', (o) => { o.spec!.replicas = 5; o.spec!.template.spec.containers[0].image = 'nginx:1.28'; });
  await k.mutate('replicasets', 'bare', (o) => { o.spec!.replicas = 1; });
  await cluster.drain(120_000);
  await k.delete('replicasets', 'bare');
  await cluster.drain(60_000);
}

async function workloadOutcome(cluster: ControlPlaneCluster) {
  const k = client(cluster);
  const pods = await k.list('pods');
  const perOwner: Record<string, number> = {};
  for (const p of pods) {
    const ref = controllerOf(p);
    const key = `${ref?.kind}/${ref?.name}/${p.status!.phase}${p.metadata.deletionTimestamp ? '/deleting' : ''}`;
    perOwner[key] = (perOwner[key] ?? 0) + 1;
  }
  const created: Record<string, number> = {};
  for (const e of (await k.list('events')) as Array<Obj & { reason: string; count: number; involvedObject: { kind: string; name: string } }>) {
    if (e.reason !== 'SuccessfulCreate' || e.involvedObject.kind === 'Pod') continue;
    const key = `${e.involvedObject.kind}/${e.involvedObject.name}`;
    created[key] = (created[key] ?? 0) + e.count;
  }
  return {
    perOwner, created,
    replicasets: (await k.list('replicasets')).map((rs) => `${rs.metadata.name}=${rs.spec!.replicas}/${rs.status!.replicas}`).sort(),
    job: (await k.get('jobs', 'work')).status!.succeeded,
  };
}

describe('level-triggered controllers', () => {
  it('duplicated, late and reordered events create no extra pods and end where a clean run ends', async () => {
    const clean = await startControlPlane({ mode: 'manual', serve: false });
    await workloadScenario(clean);
    const expected = await workloadOutcome(clean);
    await clean.close();
    assert.equal(expected.perOwner['ReplicaSet/undefined/Running'], undefined);
    assert.equal(Object.entries(expected.perOwner).filter(([key]) => key.startsWith('ReplicaSet/web-')).reduce((n, [, c]) => n + c, 0), 5);
    assert.equal(expected.perOwner['DaemonSet/agent/Running'], 1);
    assert.equal(expected.perOwner['StatefulSet/db/Running'], 2);
    assert.equal(expected.perOwner['Job/work/Succeeded'], 3);
    assert.equal(expected.job, 3);
    assert.equal(expected.created['ReplicaSet/bare'], 2, 'no replacement pods for the bare set');

    for (const seed of [1, 2, 3]) {
      const rand = random(seed);
      const messy = await startControlPlane({ mode: 'manual', serve: false, wrapQueue: duplicating(rand), pick: (n) => Math.floor(rand() * n) });
      await workloadScenario(messy);
      assert.deepEqual(await workloadOutcome(messy), expected, `seed ${seed}`);
      await messy.close();
    }
  });

  it('a steady cluster with controllers makes zero store writes in a simulated hour of resyncs', async () => {
    const counting = countingStore();
    const store = counting.store;
    const cluster = await startControlPlane({ mode: 'manual', serve: false, store });
    counting.reset();
    await cluster.drain();
    assert.equal(counting.writes(), 0, 'the bootstrapped coredns and kube-proxy are already steady');
    const k = client(cluster);
    await k.create('deployments', deployment('web', 3, { minReadySeconds: 5 }));
    await k.create('daemonsets', { metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent') } } as KubeObject);
    await k.create('statefulsets', { metadata: { name: 'db' }, spec: { replicas: 2, selector: { matchLabels: { app: 'db' } }, template: template('db', 'redis') } } as KubeObject);
    await k.create('jobs', job('done', ['echo', 'done']));
    await cluster.drain();
    assert.equal((await k.get('deployments', 'web')).status!.availableReplicas, 3);
    assert.ok((await k.get('jobs', 'done')).status!.completionTime);

    counting.reset();
    for (let i = 0; i < 120; i++) {
      await cluster.queue.send({ kind: 'resync', cluster: 'default' });
      await cluster.drain(30_000);
    }
    assert.equal(counting.writes(), 0);
    await cluster.close();
  });
});
