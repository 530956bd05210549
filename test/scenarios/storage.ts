import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { Kubectl } from '../../harness/kubectl.ts';
import { eventually } from '../helpers/eventually.ts';
import { openScenario, type Entry } from './core.ts';

/** kubectl's output once it matches (bounded: a safety net, not a timing assertion). */
const until = (kubectl: Kubectl, args: string[], ok: (out: string) => boolean, what: string) =>
  eventually(async () => (await kubectl.run(args)).stdout, ok, what, 90_000);

const staticVolume = (name: string, size: string, policy: string, extra = '') => `apiVersion: v1
kind: PersistentVolume
metadata:
  name: ${name}
  labels: {tier: ${name}}
spec:
  capacity: {storage: ${size}}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: ${policy}
  hostPath: {path: /mnt/${name}}
${extra}`;

const claim = (name: string, size: string, extra = '') => `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: ${size}}}
${extra}`;

const podWithClaim = (name: string, claimName: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  containers:
  - {name: app, image: nginx, volumeMounts: [{name: data, mountPath: /data}]}
  volumes:
  - {name: data, persistentVolumeClaim: {claimName: ${claimName}}}
`;

/**
 * Storage as on a kubeadm cluster with a local-path provisioner as its default class: the
 * StorageClass API and `standard`, DefaultStorageClass admission, the PV controller (static
 * binding, provisioning on the first consumer, reclaim), the scheduler's VolumeBinding and
 * StatefulSet claims, judged by the real kubectl v1.35.
 */
export function storageScenario(label: string, open: () => Promise<Entry>) {
describe(`persistent volumes, claims and storage classes (${label})`, () => {
  let server: Entry, kubectl: Kubectl;
  openScenario(open, (opened) => ({ server, kubectl } = opened));

  it('get sc lists the default class standard as kubectl shows it', async () => {
    const out = await kubectl.ok(['get', 'sc']);
    assert.match(out, /^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE$/m);
    assert.match(out, /^standard \(default\)\s+rancher\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s+\S+$/m);
    const sc = parse(await kubectl.ok(['get', 'storageclass', 'standard', '-o', 'yaml']));
    assert.equal(sc.metadata.annotations['storageclass.kubernetes.io/is-default-class'], 'true');
    const bad = await kubectl.run(['patch', 'sc', 'standard', '--type=merge', '-p', '{"reclaimPolicy":"Retain"}']);
    assert.match(bad.stderr, /reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden\./);
  });

  it('a static PV and a claim with storageClassName "" bind: get pv,pvc shows both Bound', async () => {
    await kubectl.ok(['apply', '-f', '-'], { input: `${staticVolume('pv-static', '1Gi', 'Retain', '  storageClassName: ""')}\n---\n${claim('static', '500Mi', '  storageClassName: ""\n  selector: {matchLabels: {tier: pv-static}}')}` });
    const out = await until(kubectl, ['get', 'pv,pvc'], (o) => /^persistentvolume\/pv-static\s.*\sBound\s/m.test(o) && /^persistentvolumeclaim\/static\s+Bound\s/m.test(o), 'pv-static and static Bound');
    assert.match(out, /^NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+REASON\s+AGE$/m);
    assert.match(out, /^persistentvolume\/pv-static\s+1Gi\s+RWO\s+Retain\s+Bound\s+default\/static\s+<unset>\s+\S+$/m);
    assert.match(out, /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE$/m);
    assert.match(out, /^persistentvolumeclaim\/static\s+Bound\s+pv-static\s+1Gi\s+RWO\s+<unset>\s+\S+$/m);
    const described = await kubectl.ok(['describe', 'pvc', 'static']);
    assert.match(described, /^Status:\s+Bound$/m);
    assert.match(described, /^Volume:\s+pv-static$/m);
    assert.match(described, /^Finalizers:\s+\[kubernetes\.io\/pvc-protection\]$/m);
    assert.match(described, /pv\.kubernetes\.io\/bind-completed: yes/);
    const pv = await kubectl.ok(['describe', 'pv', 'pv-static']);
    assert.match(pv, /^Status:\s+Bound$/m);
    assert.match(pv, /^Claim:\s+default\/static$/m);
    assert.match(pv, /^Reclaim Policy:\s+Retain$/m);
    assert.match(pv, /^Finalizers:\s+\[kubernetes\.io\/pv-protection\]$/m);
  });

  it('a claim with no class and no volume gets the default class and waits for its first consumer', async () => {
    await kubectl.ok(['apply', '-f', '-'], { input: claim('data', '1Gi') });
    assert.equal((await kubectl.ok(['get', 'pvc', 'data', '-o', 'jsonpath={.spec.storageClassName}'])).trim(), 'standard');
    const described = await until(kubectl, ['describe', 'pvc', 'data'], (o) => /WaitForFirstConsumer/.test(o), 'the WaitForFirstConsumer event');
    assert.match(described, /^Status:\s+Pending$/m);
    assert.match(described, /Normal\s+WaitForFirstConsumer\s+\S+\s+persistentvolume-controller\s+waiting for first consumer to be created before binding/);
  });

  it('a pod mounting it is scheduled, the claim provisioned on its node and Bound, and the pod Running', async () => {
    await kubectl.ok(['apply', '-f', '-'], { input: podWithClaim('writer', 'data') });
    await kubectl.ok(['wait', '--for=condition=Ready', 'pod/writer', '--timeout=90s']);
    const node = (await kubectl.ok(['get', 'pod', 'writer', '-o', 'jsonpath={.spec.nodeName}'])).trim();
    assert.equal(node, 'node01');
    const uid = (await kubectl.ok(['get', 'pvc', 'data', '-o', 'jsonpath={.metadata.uid}'])).trim();
    const row = await kubectl.ok(['get', 'pvc', 'data', '--no-headers']);
    assert.match(row, new RegExp(`^data\\s+Bound\\s+pvc-${uid}\\s+1Gi\\s+RWO\\s+standard\\s+<unset>\\s+\\S+\\n$`));
    const pvc = parse(await kubectl.ok(['get', 'pvc', 'data', '-o', 'yaml']));
    assert.equal(pvc.metadata.annotations['volume.kubernetes.io/selected-node'], 'node01');
    assert.equal(pvc.metadata.annotations['volume.kubernetes.io/storage-provisioner'], 'rancher.io/local-path');
    assert.deepEqual(pvc.status, { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } });
    const pv = parse(await kubectl.ok(['get', 'pv', `pvc-${uid}`, '-o', 'yaml']));
    assert.deepEqual(pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions, [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node01'] }]);
    assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(pv.spec.claimRef.uid, uid);
    assert.equal(pv.metadata.annotations['pv.kubernetes.io/provisioned-by'], 'rancher.io/local-path');
    const events = await kubectl.ok(['describe', 'pvc', 'data']);
    assert.match(events, /Normal\s+ProvisioningSucceeded\s+.*Successfully provisioned volume pvc-/);
    assert.match(events, /^Used By:\s+writer$/m);
  });

  it('what a pod writes on its claim outlives the pod: the next pod mounting the claim reads it', async () => {
    await kubectl.ok(['exec', 'writer', '--', 'sh', '-c', 'echo kept > /data/file']);
    await kubectl.ok(['delete', 'pod', 'writer', '--wait=true', '--timeout=60s']);
    await kubectl.ok(['apply', '-f', '-'], { input: podWithClaim('writer', 'data') });
    await kubectl.ok(['wait', '--for=condition=Ready', 'pod/writer', '--timeout=90s']);
    assert.equal(await kubectl.ok(['exec', 'writer', '--', 'cat', '/data/file']), 'kept\n');
  });

  it('a pod whose claim is missing stays Pending with the scheduler\'s reason', async () => {
    await kubectl.ok(['apply', '-f', '-'], { input: podWithClaim('orphan', 'nope') });
    const described = await until(kubectl, ['describe', 'pod', 'orphan'], (o) => /FailedScheduling/.test(o), 'FailedScheduling');
    assert.match(described, /0\/2 nodes are available: persistentvolumeclaim "nope" not found\. preemption: 0\/2 nodes are available: 2 Preemption is not helpful for scheduling\./);
    // The claim appears: the pod is scheduled onto the node its volume is made on.
    await kubectl.ok(['apply', '-f', '-'], { input: claim('nope', '100Mi') });
    await kubectl.ok(['wait', '--for=condition=Ready', 'pod/orphan', '--timeout=90s']);
    await until(kubectl, ['get', 'pvc', 'nope', '--no-headers'], (o) => /^nope\s+Bound\s/.test(o), 'nope Bound');
  });

  it('a StatefulSet with volumeClaimTemplates gets a claim per ordinal, each Bound', async () => {
    await kubectl.ok(['apply', '-f', '-'], { input: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: nginx, image: nginx, volumeMounts: [{name: data, mountPath: /usr/share/nginx/html}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 256Mi}}
` });
    await kubectl.ok(['rollout', 'status', 'statefulset/web', '--timeout=90s']);
    const out = await until(kubectl, ['get', 'pvc', '-l', 'app=web', '--no-headers'], (o) => (o.match(/\sBound\s/g) ?? []).length === 2, 'data-web-0 and data-web-1 Bound');
    assert.match(out, /^data-web-0\s+Bound\s+pvc-\S+\s+256Mi\s+RWO\s+standard\s/m);
    assert.match(out, /^data-web-1\s+Bound\s+pvc-\S+\s+256Mi\s+RWO\s+standard\s/m);
    const volumes = parse(await kubectl.ok(['get', 'pod', 'web-0', '-o', 'yaml'])).spec.volumes;
    assert.deepEqual(volumes[0], { name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } });
    assert.match(await kubectl.ok(['describe', 'sts', 'web']), /create Claim data-web-0 Pod web-0 in StatefulSet web success/);
    const owners = await kubectl.ok(['get', 'pvc', 'data-web-0', '-o', 'jsonpath={.metadata.ownerReferences}']);
    assert.equal(owners.trim(), '', 'whenDeleted: Retain leaves the claims unowned');
  });

  it('with persistentVolumeClaimRetentionPolicy whenDeleted: Delete the claims go with the set', async () => {
    await kubectl.ok(['apply', '-f', '-'], { input: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache}
spec:
  serviceName: cache
  replicas: 1
  persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete}
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec: {containers: [{name: redis, image: redis}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 64Mi}}}
` });
    await kubectl.ok(['rollout', 'status', 'statefulset/cache', '--timeout=90s']);
    await until(kubectl, ['get', 'pvc', 'data-cache-0', '--no-headers'], (o) => /^data-cache-0\s+Bound\s/.test(o), 'data-cache-0 Bound');
    assert.equal((await kubectl.ok(['get', 'pvc', 'data-cache-0', '-o', 'jsonpath={.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}'])).trim(), 'StatefulSet/cache');
    await kubectl.ok(['delete', 'statefulset', 'cache']);
    await until(kubectl, ['get', 'pvc', '-l', 'app=cache', '-o', 'name'], (o) => o.trim() === '', 'data-cache-0 gone with its set');
  });

  it('deleting a claim bound to a Retain volume leaves it Released; a Delete volume goes with its claim', async () => {
    await kubectl.ok(['delete', 'pvc', 'static', '--wait=true', '--timeout=60s']);
    await until(kubectl, ['get', 'pv', 'pv-static', '--no-headers'], (o) => /^pv-static\s+1Gi\s+RWO\s+Retain\s+Released\s+default\/static\s/.test(o), 'pv-static Released');
    const volume = (await kubectl.ok(['get', 'pvc', 'nope', '-o', 'jsonpath={.spec.volumeName}'])).trim();
    await kubectl.ok(['delete', 'pod', 'orphan', '--wait=true', '--timeout=60s']);
    await kubectl.ok(['delete', 'pvc', 'nope', '--wait=true', '--timeout=60s']);
    await until(kubectl, ['get', 'pv', volume], (o) => o === '', `${volume} deleted`);
  });

  it('a claim in use stays Terminating until its pod goes (pvc-protection)', async () => {
    await kubectl.ok(['delete', 'pvc', 'data', '--wait=false']);
    const row = await kubectl.ok(['get', 'pvc', 'data', '--no-headers']);
    assert.match(row, /^data\s+Terminating\s/);
    await kubectl.ok(['delete', 'pod', 'writer', '--wait=true', '--timeout=60s']);
    await until(kubectl, ['get', 'pvc', 'data'], (o) => o === '', 'data gone');
  });
});
}
