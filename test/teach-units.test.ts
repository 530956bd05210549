import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldVerdict, ingressVerdict } from '../src/teach/checks.ts';
import { valueAt } from '../src/teach/fieldPath.ts';
import { objectPath } from '../src/teach/paths.ts';
import { TraceRing } from '../src/trace/ring.ts';
import { changedSince, snapshotPaths } from '../src/trace/diff.ts';
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

  it('compares objects piecewise, two levels deep', () => {
    const before = snapshotPaths({ metadata: { name: 'a' }, spec: { x: 1, y: [1] } });
    assert.deepEqual(changedSince(before, snapshotPaths({ metadata: { name: 'a', labels: {} }, spec: { x: 1, y: [1, 2] } })), ['metadata.labels', 'spec.y']);
  });
});
