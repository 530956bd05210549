import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { Kubectl } from '../../harness/kubectl.ts';
import { openScenario, type Entry } from './core.ts';

/** The kinds kube-apiserver serves about itself and its storage and flow control, as kubectl shows them on kubeadm. */
export function builtinKindsScenario(label: string, open: () => Promise<Entry>) {
  describe(`built-in kinds of kube-apiserver (${label})`, () => {
    let server: Entry, kubectl: Kubectl;
    openScenario(open, (opened) => ({ server, kubectl } = opened));

    const rows = (out: string) => out.trimEnd().split('\n').map((l) => l.trim().split(/\s{2,}/));

    it('get apiservices: one Local, Available APIService per served group-version', async () => {
      const table = rows(await kubectl.ok(['get', 'apiservices']));
      assert.deepEqual(table[0], ['NAME', 'SERVICE', 'AVAILABLE', 'AGE']);
      const byName = new Map(table.slice(1).map((r) => [r[0], r]));
      for (const name of ['v1.', 'v1.apps', 'v1.events.k8s.io', 'v1.storage.k8s.io', 'v1.flowcontrol.apiserver.k8s.io']) {
        assert.deepEqual(byName.get(name)?.slice(1, 3), ['Local', 'True'], name);
      }
      const apps = parse(await kubectl.ok(['get', 'apiservice', 'v1.apps', '-o', 'yaml']));
      assert.deepEqual(apps.spec, { group: 'apps', version: 'v1', groupPriorityMinimum: 17800, versionPriority: 15 });
    });

    it('get flowschemas and prioritylevelconfigurations list the bootstrap configuration', async () => {
      const schemas = rows(await kubectl.ok(['get', 'flowschemas']));
      assert.deepEqual(schemas[0], ['NAME', 'PRIORITYLEVEL', 'MATCHINGPRECEDENCE', 'DISTINGUISHERMETHOD', 'AGE', 'MISSINGPL']);
      const exempt = schemas.find((r) => r[0] === 'exempt')!;
      assert.deepEqual([exempt[1], exempt[2], exempt[3], exempt[5]], ['exempt', '1', '<none>', 'False']);
      assert.equal(schemas.length - 1, 13);
      const levels = rows(await kubectl.ok(['get', 'prioritylevelconfigurations']));
      assert.deepEqual(levels[0], ['NAME', 'TYPE', 'NOMINALCONCURRENCYSHARES', 'QUEUES', 'HANDSIZE', 'QUEUELENGTHLIMIT', 'AGE']);
      assert.deepEqual(levels.find((r) => r[0] === 'workload-low')?.slice(1, 6), ['Limited', '100', '128', '6', '50']);
    });

    it('get cs: the control plane is healthy, with kube-apiserver\'s deprecation warning; cs is read-only', async () => {
      const result = await kubectl.run(['get', 'cs']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /Warning: v1 ComponentStatus is deprecated in v1\.19\+/);
      assert.deepEqual(rows(result.stdout).map((r) => r.slice(0, 3)), [['NAME', 'STATUS', 'MESSAGE'], ['controller-manager', 'Healthy', 'ok'], ['etcd-0', 'Healthy', 'ok'], ['scheduler', 'Healthy', 'ok']]);
      const del = await kubectl.run(['delete', 'cs', 'scheduler']);
      assert.match(del.stderr, /MethodNotAllowed|the server does not allow this method/);
    });

    it('a CSINode per node; CSIDrivers, CSIStorageCapacities and VolumeAttachments are stored with their columns', async () => {
      const nodes = rows(await kubectl.ok(['get', 'csinodes']));
      assert.deepEqual(nodes.slice(1).map((r) => r.slice(0, 2)), [['controlplane', '0'], ['node01', '0']]);
      await kubectl.ok(['apply', '-f', '-'], {
        input: `apiVersion: storage.k8s.io/v1
kind: CSIDriver
metadata:
  name: hostpath.csi.k8s.io
spec:
  podInfoOnMount: true
---
apiVersion: storage.k8s.io/v1
kind: VolumeAttachment
metadata:
  name: va-1
spec:
  attacher: hostpath.csi.k8s.io
  nodeName: node01
  source:
    persistentVolumeName: pv-1
---
apiVersion: storage.k8s.io/v1
kind: CSIStorageCapacity
metadata:
  name: cap-1
storageClassName: standard
capacity: 10Gi
`,
      });
      assert.deepEqual(rows(await kubectl.ok(['get', 'csidrivers']))[1].slice(0, 7), ['hostpath.csi.k8s.io', 'true', 'true', 'false', '<unset>', 'false', 'Persistent']);
      assert.deepEqual(rows(await kubectl.ok(['get', 'volumeattachments']))[1].slice(0, 5), ['va-1', 'hostpath.csi.k8s.io', 'pv-1', 'node01', 'false']);
      assert.deepEqual(rows(await kubectl.ok(['get', 'csistoragecapacities']))[1].slice(0, 3), ['cap-1', 'standard', '10Gi']);
    });

    it('1.35\'s ServiceCIDR (the default one), IPAddress, VolumeAttributesClass and dynamic resource allocation kinds are stored with their columns', async () => {
      assert.deepEqual(rows(await kubectl.ok(['get', 'servicecidrs']))[1].slice(0, 2), ['kubernetes', '10.96.0.0/12']);
      await kubectl.ok(['apply', '-f', '-'], {
        input: `apiVersion: networking.k8s.io/v1
kind: IPAddress
metadata:
  name: 10.96.100.7
spec:
  parentRef:
    resource: services
    namespace: default
    name: web
---
apiVersion: storage.k8s.io/v1
kind: VolumeAttributesClass
metadata:
  name: gold
driverName: pd.csi.storage.gke.io
parameters:
  iops: "3000"
---
apiVersion: resource.k8s.io/v1
kind: DeviceClass
metadata:
  name: gpu.example.com
spec:
  selectors:
  - cel:
      expression: device.driver == "gpu.example.com"
---
apiVersion: resource.k8s.io/v1
kind: ResourceClaim
metadata:
  name: one-gpu
spec:
  devices:
    requests:
    - name: gpu
      exactly:
        deviceClassName: gpu.example.com
---
apiVersion: resource.k8s.io/v1
kind: ResourceSlice
metadata:
  name: node01-gpu
spec:
  driver: gpu.example.com
  nodeName: node01
  pool:
    name: node01
    generation: 1
    resourceSliceCount: 1
  devices:
  - name: gpu-0
`,
      });
      assert.deepEqual(rows(await kubectl.ok(['get', 'ip'])), [['NAME', 'PARENTREF'], ['10.96.100.7', 'services/default/web']]);
      assert.deepEqual(rows(await kubectl.ok(['get', 'vac']))[1].slice(0, 2), ['gold', 'pd.csi.storage.gke.io']);
      assert.deepEqual(rows(await kubectl.ok(['get', 'resourceclaims']))[1].slice(0, 2), ['one-gpu', 'pending']);
      assert.deepEqual(rows(await kubectl.ok(['get', 'resourceslices']))[1].slice(0, 4), ['node01-gpu', 'node01', 'gpu.example.com', 'node01']);
      assert.match(await kubectl.ok(['explain', 'resourceclaim.spec.devices.requests.exactly']), /deviceClassName\s+<string>/);
      const changed = await kubectl.run(['patch', 'vac', 'gold', '--type=merge', '-p', '{"driverName":"other.csi"}']);
      assert.equal(changed.stderr.trim(), 'The VolumeAttributesClass "gold" is invalid: driverName: Invalid value: "other.csi": field is immutable');
    });

    it('webhook configurations are stored and listed with their webhook count', async () => {
      await kubectl.ok(['apply', '-f', '-'], {
        input: `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: demo
webhooks:
- name: demo.example.com
  clientConfig:
    url: https://example.com/validate
  rules:
  - operations: ["CREATE"]
    apiGroups: [""]
    apiVersions: ["v1"]
    resources: ["configmaps"]
  sideEffects: None
  admissionReviewVersions: ["v1"]
`,
      });
      assert.deepEqual(rows(await kubectl.ok(['get', 'validatingwebhookconfigurations']))[1].slice(0, 2), ['demo', '1']);
      assert.match(await kubectl.ok(['get', 'mutatingwebhookconfigurations']), /^$|No resources/);
    });

    it('an event made through core/v1 is the same object through events.k8s.io/v1, converted', async () => {
      await kubectl.ok(['create', '-f', '-'], {
        input: JSON.stringify({
          apiVersion: 'v1', kind: 'Event', metadata: { name: 'demo.1', namespace: 'default' },
          involvedObject: { kind: 'Pod', name: 'demo', namespace: 'default' }, reason: 'Tested', message: 'made by a test', type: 'Normal',
          source: { component: 'tester' }, reportingComponent: 'tester', count: 1, firstTimestamp: '2026-01-01T00:00:00Z', lastTimestamp: '2026-01-01T00:00:00Z',
        }),
      });
      const ev = parse(await kubectl.ok(['get', 'events.v1.events.k8s.io', 'demo.1', '-o', 'yaml']));
      assert.equal(ev.apiVersion, 'events.k8s.io/v1');
      assert.deepEqual([ev.note, ev.reason, ev.regarding.name, ev.reportingController, ev.deprecatedCount, ev.deprecatedSource.component], ['made by a test', 'Tested', 'demo', 'tester', 1, 'tester']);
      await kubectl.ok(['patch', 'events.v1.events.k8s.io', 'demo.1', '--type=merge', '-p', '{"note":"changed through events.k8s.io"}']);
      assert.equal(await kubectl.ok(['get', 'events.v1.', 'demo.1', '-o', 'jsonpath={.message}']), 'changed through events.k8s.io');
    });

    it('a Binding posted to the top-level bindings binds its pod', async () => {
      await kubectl.ok(['run', 'bound', '--image=nginx', '--overrides={"spec":{"schedulerName":"nobody"}}']);
      // kubectl validates a Binding (it has no PATCH, so no OpenAPI v3 path) against OpenAPI v2 in protobuf
      const out = await kubectl.ok(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: Binding\nmetadata:\n  name: bound\ntarget:\n  kind: Node\n  name: node01\n' });
      // kube-apiserver answers a Binding with a Success Status, and kubectl prints what it got back
      assert.equal(out.trim(), 'status/<unknown> created');
      assert.equal(await kubectl.ok(['get', 'pod', 'bound', '-o', 'jsonpath={.spec.nodeName}']), 'node01');
    });

    it('podtemplates are stored and printed with their containers, images and labels', async () => {
      await kubectl.ok(['apply', '-f', '-'], {
        input: 'apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: tpl\ntemplate:\n  metadata:\n    labels:\n      app: web\n  spec:\n    containers:\n    - name: web\n      image: nginx:1.27\n',
      });
      assert.deepEqual(rows(await kubectl.ok(['get', 'podtemplates']))[1], ['tpl', 'web', 'nginx:1.27', 'app=web']);
    });
  });
}
