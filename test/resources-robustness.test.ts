import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pool, rawAgent, send, statusProblem } from './helpers/rawHttp.ts';
import { startNodeServer, type TestServer } from '../harness/server.ts';
import { seededRandom } from './helpers/queueFaults.ts';

/**
 * Every kind of issue 5 takes mangled bodies (a valid object with one value
 * swapped for a wrong type, a null, an odd number or an unknown field) and
 * always answers with a metav1.Status below 500, never a crash. Seeded, so a
 * failure replays.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const container = { name: 'c', image: 'nginx:1.27', ports: [{ containerPort: 80 }], env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }], livenessProbe: { httpGet: { path: '/', port: 80 } } };
const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [container], volumes: [{ name: 'v', configMap: { name: 'cm' } }] } };
const selector = { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] };

/** One valid object per kind, with the path it is created at. */
const samples: Array<[string, Record<string, Json>]> = [
  ['/apis/apps/v1/namespaces/default/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector, template, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '10%' } } } }],
  ['/apis/apps/v1/namespaces/default/replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r' }, spec: { replicas: 2, selector, template } }],
  ['/apis/apps/v1/namespaces/default/statefulsets', { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: { serviceName: 's', selector, template, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] } }],
  ['/apis/apps/v1/namespaces/default/daemonsets', { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds' }, spec: { selector, template } }],
  ['/apis/apps/v1/namespaces/default/controllerrevisions', { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'cr', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: 'u', controller: true }] }, data: { a: 1 }, revision: 1 }],
  ['/apis/batch/v1/namespaces/default/jobs', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { containers: [container], restartPolicy: 'Never' } }, podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] } } }],
  ['/apis/batch/v1/namespaces/default/cronjobs', { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj' }, spec: { schedule: '0 */2 * * 1-5', timeZone: 'Europe/Berlin', jobTemplate: { spec: { template: { spec: { containers: [container], restartPolicy: 'OnFailure' } } } } } }],
  ['/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }],
  ['/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cr' }, rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }], aggregationRule: { clusterRoleSelectors: [selector] } }],
  ['/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb' }, roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'u' }, { kind: 'ServiceAccount', name: 'default' }] }],
  ['/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'crb' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cr' }, subjects: [{ kind: 'Group', name: 'g' }] }],
  ['/api/v1/namespaces/default/resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { pods: '10', 'limits.cpu': 2 }, scopes: ['NotTerminating'] } }],
  ['/api/v1/namespaces/default/limitranges', { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '1Mi' } }] } }],
  ['/api/v1/namespaces/default/persistentvolumeclaims', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  ['/api/v1/persistentvolumes', { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'v' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' }, claimRef: { namespace: 'default', name: 'c' } } }],
  ['/apis/storage.k8s.io/v1/storageclasses', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'sc', annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } }, provisioner: 'example.com/disk', parameters: { type: 'ssd' }, reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true, allowedTopologies: [{ matchLabelExpressions: [{ key: 'zone', values: ['a'] }] }] }],
  ['/apis/storage.k8s.io/v1/volumeattributesclasses', { apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttributesClass', metadata: { name: 'vac' }, driverName: 'example.com/disk', parameters: { iops: '3000' } }],
  ['/apis/networking.k8s.io/v1/servicecidrs', { apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR', metadata: { name: 'extra' }, spec: { cidrs: ['10.100.0.0/16'] } }],
  ['/apis/networking.k8s.io/v1/ipaddresses', { apiVersion: 'networking.k8s.io/v1', kind: 'IPAddress', metadata: { name: '10.100.0.7' }, spec: { parentRef: { resource: 'services', namespace: 'default', name: 's' } } }],
  ['/apis/resource.k8s.io/v1/deviceclasses', { apiVersion: 'resource.k8s.io/v1', kind: 'DeviceClass', metadata: { name: 'gpu' }, spec: { selectors: [{ cel: { expression: 'device.driver == "gpu.example.com"' } }] } }],
  ['/apis/resource.k8s.io/v1/namespaces/default/resourceclaims', { apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name: 'rc' }, spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'gpu', allocationMode: 'ExactCount', count: 1 } }] } } }],
  ['/apis/resource.k8s.io/v1/namespaces/default/resourceclaimtemplates', { apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaimTemplate', metadata: { name: 'rct' }, spec: { spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'gpu' } }] } } } }],
  ['/apis/resource.k8s.io/v1/resourceslices', { apiVersion: 'resource.k8s.io/v1', kind: 'ResourceSlice', metadata: { name: 'node01-gpu' }, spec: { driver: 'gpu.example.com', nodeName: 'node01', pool: { name: 'node01', generation: 1, resourceSliceCount: 1 }, devices: [{ name: 'gpu-0', attributes: { model: { string: 'a100' } }, capacity: { memory: { value: '40Gi' } } }] } }],
  ['/api/v1/namespaces/default/endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'e' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] }],
  ['/api/v1/namespaces/default/replicationcontrollers', { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc' }, spec: { selector: { app: 'x' }, template } }],
  ['/apis/networking.k8s.io/v1/namespaces/default/ingresses', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i' }, spec: { tls: [{ hosts: ['a.com'] }], rules: [{ host: 'a.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } }] } }],
  ['/apis/networking.k8s.io/v1/ingressclasses', { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'ic' }, spec: { controller: 'example.com/ingress', parameters: { kind: 'Params', name: 'p' } } }],
  ['/apis/networking.k8s.io/v1/namespaces/default/networkpolicies', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { podSelector: selector, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 80 }] }], egress: [{ to: [{ podSelector: {} }] }] } }],
  ['/apis/policy/v1/namespaces/default/poddisruptionbudgets', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p' }, spec: { maxUnavailable: '50%', selector } }],
  ['/apis/scheduling.k8s.io/v1/priorityclasses', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'pc' }, value: 10, globalDefault: false }],
  ['/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'es' }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }], ports: [{ port: 80 }] }],
  ['/apis/coordination.k8s.io/v1/namespaces/default/leases', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec: { holderIdentity: 'me', leaseDurationSeconds: 15 } }],
  ['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'default' } } }],
  ['/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'default' } }],
];

/** A seeded generator, so a failing case replays. */
const random = seededRandom;

const oddValues: Json[] = [null, 0, -1, 2 ** 31, 1.5, '', 'x', '-5', '100%', '*', [], {}, [null], { a: null }, true, [1, 'a'], { matchLabels: null }, 'system-x'];

/** Every path to a value inside a JSON tree. */
function paths(value: Json, at: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return [at];
  const children = Array.isArray(value) ? value.map((v, i) => paths(v, [...at, i])) : Object.entries(value).map(([k, v]) => paths(v, [...at, k]));
  return [at, ...children.flat()];
}

function mangle(sample: Record<string, Json>, next: () => number): Json {
  const copy = structuredClone(sample) as Json;
  const all = paths(copy).filter((p) => p.length > 0 && p[0] !== 'apiVersion' && p[0] !== 'kind');
  const path = all[Math.floor(next() * all.length)];
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path[path.length - 1];
  const roll = next();
  if (roll < 0.1 && !Array.isArray(parent)) delete parent[last];
  else if (roll < 0.15 && !Array.isArray(parent)) parent[`unknown${Math.floor(next() * 10)}`] = 1;
  else parent[last] = oddValues[Math.floor(next() * oddValues.length)];
  return copy;
}

describe('issue 5 kinds answer mangled bodies with a Status, never a 5xx', () => {
  let server: TestServer;
  before(async () => { server = await startNodeServer(); });
  after(() => server.close());

  it('every sample is valid as written', async () => {
    const agent = rawAgent(8);
    const token = await server.token();
    for (const [path, body] of samples) {
      const res = await send(server.url, agent, { method: 'POST', path, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: new TextEncoder().encode(JSON.stringify(body)) });
      assert.equal(res.status, 201, `${path}: ${res.body}`);
    }
  });

  it('mangled creates, scales and patches stay below 500', async () => {
    const agent = rawAgent(16);
    const token = await server.token();
    const next = random(Number(process.env.RESOURCES_SEED ?? 5));
    const requests: Array<{ method: string; path: string; body: Json; type: string }> = [];
    for (const [path, sample] of samples) {
      for (let i = 0; i < 40; i++) requests.push({ method: 'POST', path, body: mangle({ ...sample, metadata: { name: `m${i}` } }, next), type: 'application/json' });
    }
    const scale = { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'd' }, spec: { replicas: 2 } };
    for (let i = 0; i < 40; i++) {
      requests.push({ method: 'PUT', path: '/apis/apps/v1/namespaces/default/deployments/d/scale', body: mangle(scale, next), type: 'application/json' });
      requests.push({ method: 'PATCH', path: '/apis/apps/v1/namespaces/default/replicasets/r/scale', body: mangle({ spec: { replicas: 3 } }, next), type: 'application/merge-patch+json' });
      requests.push({ method: 'PATCH', path: '/apis/batch/v1/namespaces/default/jobs/j', body: mangle({ spec: { suspend: true, template: { metadata: { labels: { a: 'b' } } } } }, next), type: 'application/merge-patch+json' });
    }
    const problems: string[] = [];
    await pool(requests, 16, async (req) => {
      const res = await send(server.url, agent, {
        method: req.method, path: req.path, headers: { Authorization: `Bearer ${token}`, 'Content-Type': req.type }, body: new TextEncoder().encode(JSON.stringify(req.body)),
      });
      if (res.status >= 500 || res.status === 0) problems.push(`${req.method} ${req.path} ${JSON.stringify(req.body)} → ${res.status} ${res.body.slice(0, 300)}`);
      else if (res.status >= 400) {
        const problem = statusProblem(res);
        if (problem) problems.push(`${req.method} ${req.path} → ${res.status}: ${problem}`);
      }
    });
    assert.deepEqual(problems.slice(0, 10), []);
  });
});
