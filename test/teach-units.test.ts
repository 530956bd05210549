import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shippedExercises } from '../src/cli/exercise.ts';
import { countVerdict, fieldVerdict, fileVerdict, ingressVerdict } from '../src/teach/checks.ts';
import { domains, parseExercise } from '../src/teach/exercise.ts';
import { kubectlFor, shellWords } from '../src/teach/exercises.ts';
import { valueAt } from '../src/teach/fieldPath.ts';
import { listPath, objectPath } from '../src/teach/paths.ts';
import { TraceRing } from '../src/trace/ring.ts';
import { changedSince, snapshotPaths } from '../src/trace/diff.ts';
import { MemoryStore } from '../src/storage/memory.ts';
import { Catalog } from '../src/registry/catalog.ts';
import { resources } from '../src/registry/resources/index.ts';
import { readTrace, resolveResource } from '../src/tenancy/trace.ts';
import type { TraceRecord } from '../src/trace/types.ts';

/** The pieces of the teaching tools that need no server: paths, checks, the trace ring's bounds. */

describe('scenario checks', () => {
  const deployment = { spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'web', image: 'nginx:1.27' }] } } }, status: { conditions: [{ type: 'Ready', status: 'True' }], readyReplicas: 2 } };
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' };

  it('reads values by keys, indexes and picked list items', () => {
    assert.equal(valueAt(deployment, 'spec.template.spec.containers[name=web].image'), 'nginx:1.27');
    assert.equal(valueAt(deployment, 'spec.template.spec.containers[0].name'), 'a');
    assert.equal(valueAt(deployment, 'status.conditions[type=Ready].status'), 'True');
    assert.equal(valueAt(deployment, 'status.conditions[type=Gone].status'), undefined);
    assert.equal(valueAt(undefined, 'a.b'), undefined);
  });

  it('says why a field check fails', () => {
    assert.equal(fieldVerdict({ object: ref, path: 'status.readyReplicas', atLeast: 2 }, deployment), undefined);
    assert.equal(fieldVerdict({ object: ref, path: 'status.readyReplicas', atLeast: 3 }, deployment), 'Deployment shop/web: status.readyReplicas is 2, not at least 3');
    assert.equal(fieldVerdict({ object: ref, path: 'status.readyReplicas', atLeast: 1 }, undefined), 'Deployment shop/web does not exist');
    assert.equal(fieldVerdict({ object: ref, path: 'spec.paused', notEquals: true }, deployment), undefined);
    assert.match(fieldVerdict({ object: ref, path: 'spec.template', equals: 1 }, deployment)!, /is \{"spec":.*…, not 1$/);
    assert.equal(fieldVerdict({ object: ref, path: 'spec.template.spec.containers[name=web].image', matches: '^nginx' }, deployment), undefined);
  });

  it('reads NetworkPolicies as the API defines ingress', () => {
    const deny = { metadata: { name: 'deny' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
    const allow = { metadata: { name: 'allow' }, spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 80 }] }] } };
    assert.equal(ingressVerdict([], { app: 'client' }, { app: 'web' }, 80), undefined);
    assert.match(ingressVerdict([deny], { app: 'client' }, { app: 'web' }, 80)!, /deny select the destination pods for Ingress, and none allows pods labelled app=client on port 80/);
    assert.equal(ingressVerdict([deny, allow], { app: 'client' }, { app: 'web' }, 80), undefined);
    assert.ok(ingressVerdict([deny, allow], { app: 'client' }, { app: 'web' }, 443));
    assert.ok(ingressVerdict([deny, allow], { app: 'other' }, { app: 'web' }, 80));
  });

  it('finds an object\'s REST path from its apiVersion and kind', () => {
    assert.equal(objectPath(ref), '/apis/apps/v1/namespaces/shop/deployments/web');
    assert.equal(objectPath({ apiVersion: 'v1', kind: 'Node', name: 'node01' }), '/api/v1/nodes/node01');
  });
});

describe('the trace ring', () => {
  const record = (name: string, detail = 'x'): TraceRecord => ({ source: 'request', time: '2026-01-01T00:00:00.000Z', object: { group: '', resource: 'pods', namespace: 'default', name }, revisions: [], spans: [{ step: 'request', detail, at: 0 }] });

  it('records only while a cluster\'s tracing is on, and for as long as it is', () => {
    let now = 0;
    const ring = new TraceRing({ maxRecords: 10, maxBytes: 1 << 20, maxAgeMs: 100, maxClusters: 2, recordForMs: 50 }, () => now);
    assert.equal(ring.recording('a'), false);
    assert.equal(ring.start('a'), 50);
    assert.equal(ring.recording('a'), true);
    now = 51;
    assert.equal(ring.recording('a'), false);
  });

  it('is bounded per cluster in records, bytes and age, and in clusters', () => {
    let now = 0;
    const ring = new TraceRing({ maxRecords: 3, maxBytes: 2000, maxAgeMs: 100, maxClusters: 2, recordForMs: 1000 }, () => now);
    for (let i = 0; i < 5; i++) ring.record('a', record(`p${i}`));
    assert.equal(ring.size('a').records, 3);
    assert.deepEqual(ring.find('a', { group: '', resource: 'pods', namespace: 'default', name: 'p4' }).map((r) => r.object.name), ['p4']);
    ring.record('a', record('big', 'y'.repeat(1900)));
    assert.deepEqual(ring.size('a'), { records: 0, bytes: 0 }, 'a record past the cluster\'s bytes is not kept, nor are the ones it pushed out');
    ring.record('a', record('old'));
    now = 200;
    assert.deepEqual(ring.find('a', { group: '', resource: 'pods', namespace: 'default', name: 'old' }), [], 'records older than maxAgeMs are gone');
    ring.record('b', record('x')); ring.record('c', record('x'));
    assert.equal(ring.size('a').records, 0, 'the cluster written least recently is forgotten past maxClusters');
    // A refused create (name unknown) is part of every trace of its resource and namespace.
    ring.record('c', record(''));
    assert.equal(ring.find('c', { group: '', resource: 'pods', namespace: 'default', name: 'web' }).length, 1);
  });

  it('keeps a request made in the second the cluster was created (creation is to the second, records to the millisecond)', async () => {
    const store = new MemoryStore();
    await store.createCluster('a');
    const cluster = store.cluster('a');
    const written = await cluster.create('/registry/a/core/pods/default/web', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', uid: 'u1', managedFields: [{ manager: 'kubectl-run', operation: 'Update', time: '2026-01-01T00:00:00Z' }] } }));
    assert.ok(written.ok);
    const ring = new TraceRing();
    ring.start('a');
    ring.record('a', { ...record('web'), time: '2026-01-01T00:00:00.950Z', object: { group: '', resource: 'pods', namespace: 'default', name: 'web', uid: 'u1' }, revisions: [written.kv.modRevision] });
    ring.record('a', { ...record('web', 'before'), time: '2025-12-31T23:59:59.999Z' });
    const def = resolveResource(new Catalog(resources), 'pod')!;
    const trace = await readTrace(cluster, ring, '2026-01-01T00:00:00Z', { def, namespace: 'default', name: 'web' }, true);
    // The create's entry is the request's (its time and line), and no note says its steps are missing.
    assert.deepEqual([trace.entries[0].time, trace.entries[0].summary], ['2026-01-01T00:00:00.950Z', 'x'], JSON.stringify(trace, null, 2));
    assert.deepEqual(trace.notes, []);
    assert.doesNotMatch(JSON.stringify(trace), /before/, 'a record from before the cluster was created is not its');
  });

  it('compares objects piecewise, two levels deep', () => {
    const before = snapshotPaths({ metadata: { name: 'a' }, spec: { x: 1, y: [1] } });
    assert.deepEqual(changedSince(before, snapshotPaths({ metadata: { name: 'a', labels: {} }, spec: { x: 1, y: [1, 2] } })), ['metadata.labels', 'spec.y']);
  });
});

describe('exercises', () => {
  it('every shipped exercise parses, and the 25 cover the five CKA domains', () => {
    const all = shippedExercises();
    assert.equal(all.length, 25);
    assert.deepEqual([...new Set(all.map((e) => e.domain))].sort(), Object.keys(domains).sort());
    for (const e of all) assert.ok(e.solution.length && e.wrong.length && e.checks.length, e.name);
  });

  it('says where an exercise file is wrong', () => {
    assert.throws(() => parseExercise({ apiVersion: 'apiserverless.dev/v1', kind: 'Exercise', name: 'x', domain: 'cooking', title: 't', task: 't', checks: [{ says: 's', field: { path: 'a' } }], solution: [], wrong: [{ delete: { apiVersion: 'v1', kind: 'Pod', name: 'p' } }] }, 'x.yaml'),
      (err: Error) => /^x\.yaml is not a valid exercise:/.test(err.message) && /domain: /.test(err.message) && /checks\.0/.test(err.message) && /solution: /.test(err.message));
  });

  it('reads quoted keys, and counts the listed objects that meet every condition', () => {
    const quota = { spec: { hard: { 'requests.cpu': '2' } } };
    assert.equal(valueAt(quota, 'spec.hard["requests.cpu"]'), '2');
    const pods = [{ spec: { nodeName: 'node01' }, status: { phase: 'Running' } }, { spec: { nodeName: 'controlplane' }, status: { phase: 'Pending' } }];
    const count = { apiVersion: 'v1', kind: 'Pod', namespace: 'ns', where: [{ path: 'status.phase', equals: 'Running' }] };
    assert.equal(countVerdict({ ...count, atLeast: 1 }, pods), undefined);
    assert.equal(countVerdict({ ...count, atLeast: 2 }, pods), '1 Pods in ns with status.phase as asked, not at least 2');
    assert.equal(countVerdict({ ...count, atMost: 0 }, pods), '1 Pods in ns with status.phase as asked, more than 0');
  });

  it('judges a file by what cat printed, and a refused exec as unreadable', () => {
    const file = { namespace: 'ns', pod: 'p', path: '/data/out.txt', matches: '^ok' };
    assert.equal(fileVerdict(file, { stdout: 'ok\n', code: 0 }), undefined);
    assert.match(fileVerdict(file, { stdout: '', code: 1 })!, /cannot be read \(cat exits 1\)/);
    assert.match(fileVerdict(file, { stdout: '', code: -1, message: 'pods "p" not found' })!, /^cannot exec in pod ns\/p: pods "p" not found$/);
    assert.equal(fileVerdict({ ...file, absent: true }, { stdout: '', code: 1 }), undefined);
  });

  it('turns steps into what a student types', () => {
    assert.deepEqual(shellWords(`kubectl patch svc a -p '{"spec":{"x":"a b"}}' --type="merge"`), ['kubectl', 'patch', 'svc', 'a', '-p', '{"spec":{"x":"a b"}}', '--type=merge']);
    assert.deepEqual(kubectlFor({ patch: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'prod', name: 'web' }, merge: { spec: { replicas: 3 } } }).args,
      ['patch', 'deployments.apps', 'web', '-n', 'prod', '--type=merge', '-p', '{"spec":{"replicas":3}}']);
    assert.deepEqual(kubectlFor({ exec: { namespace: 'f', pod: 'r', command: ['sh', '-c', 'echo hi > /x'] } }).args, ['exec', '-n', 'f', 'r', '--', 'sh', '-c', 'echo hi > /x']);
    const apply = kubectlFor({ apply: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } } });
    assert.deepEqual(apply, { args: ['apply', '-f', '-'], input: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\n' });
    assert.equal(objectPath({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', namespace: 'gw', name: 'r' }), '/apis/gateway.networking.k8s.io/v1/namespaces/gw/httproutes/r');
    assert.equal(listPath('v1', 'Pod'), '/api/v1/pods');
    assert.equal(listPath('v1', 'Pod', 'default'), '/api/v1/namespaces/default/pods');
  });
});
