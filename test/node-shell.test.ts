import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type { Node } from '../src/registry/resources/nodes.ts';
import type { Pod } from '../src/registry/resources/pods.ts';
import type { KubeObject } from '../src/registry/types.ts';
import { readNodeState, updateNodeState } from '../src/registry/nodeFilesystem.ts';
import { componentRun } from '../src/runtime/componentFlags.ts';
import { baseNodeFiles, hostWritesOf, type NodeHost } from '../src/runtime/nodeFiles.ts';
import { runShell } from '../src/runtime/shell.ts';
import { configHash, manifestText, mirrorPod, readManifest, staticPodManifests } from '../src/runtime/staticPods.ts';
import type { HostRoot, ProgramInput } from '../src/runtime/timeline.ts';
import { startControlPlane } from './helpers/controlplane.ts';

/**
 * The node shell without a server: the node's files, the shell's commands that edit them and the
 * node's own (chroot, systemctl, crictl, ssh), the components' reading of their flags; then, on a
 * manual clock, the kubelet following its manifests and the node lifecycle of a stopped kubelet.
 */

const cp: NodeHost = { name: 'controlplane', ip: '192.168.0.10', controlPlane: true, apiserver: { name: 'controlplane', ip: '192.168.0.10' }, version: 'v1.35.0', caCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' };
const under = (files: Record<string, string>, at: string) => Object.fromEntries(Object.entries(files).map(([p, c]) => [`${at}${p}`, c]));
const host: HostRoot = {
  mountPath: '/host', node: 'controlplane', units: {}, containers: [],
  peers: { node01: { files: { '/etc/hostname': 'node01\n' }, units: {}, containers: [] } },
};
const input = (): ProgramInput => ({ image: 'busybox', hostname: 'debugger', files: under(baseNodeFiles(cp), '/host'), host, exec: {} });

function run(script: string) {
  const result = runShell(['sh', '-c', script], input());
  const text = (stderr: boolean) => result.out.filter((t) => !!t.stderr === stderr).map((t) => (typeof t.text === 'string' ? t.text : t.text(Date.parse('2026-12-03T12:00:00Z')))).join('\n');
  return { stdout: text(false), stderr: text(true), code: result.code, events: result.fileEvents };
}

describe('the node shell, without a server', () => {
  it('the control-plane node holds the manifests its mirror pods are made of', () => {
    const files = baseNodeFiles(cp);
    const manifests = staticPodManifests(cp, 'v1.35.0');
    assert.deepEqual(manifests.map((m) => m.metadata.name), ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
    for (const m of manifests) {
      const text = files[`/etc/kubernetes/manifests/${m.metadata.name}.yaml`];
      assert.equal(text, manifestText(m));
      const read = readManifest('x', text);
      assert.ok('pod' in read);
      const mirror = mirrorPod(read.pod, { name: 'controlplane', uid: 'u' }, configHash(text), '2026-12-03T12:00:00Z') as KubeObject;
      assert.equal(mirror.metadata.name, `${m.metadata.name}-controlplane`);
      assert.equal(mirror.metadata.annotations!['kubernetes.io/config.hash'], configHash(text));
    }
    // kubeadm's YAML: sorted keys, sequences not indented under their key.
    assert.match(files['/etc/kubernetes/manifests/kube-scheduler.yaml'], /^spec:\n {2}containers:\n {2}- command:\n {4}- kube-scheduler\n/m);
    assert.equal((parse(files['/etc/kubernetes/kubelet.conf']) as { clusters: Array<{ cluster: { server: string } }> }).clusters[0].cluster.server, 'https://192.168.0.10:6443');
    assert.equal(baseNodeFiles({ ...cp, name: 'node01', controlPlane: false })['/etc/kubernetes/manifests/etcd.yaml'], undefined);
    // Rendered once per host, handed out as copies: one node's edits never reach the next reader.
    delete files['/etc/hostname'];
    files['/etc/kubernetes/kubelet.conf'] = 'edited';
    assert.equal(baseNodeFiles(cp)['/etc/hostname'], 'controlplane\n');
    assert.notEqual(baseNodeFiles(cp)['/etc/kubernetes/kubelet.conf'], 'edited');
    assert.match(baseNodeFiles({ ...cp, version: 'v1.34.0' })['/etc/kubernetes/manifests/kube-apiserver.yaml'], /kube-apiserver:v1\.34\.0/);
  });

  it('sed -i, grep, pipelines, head and wc edit and read the node\'s files', () => {
    const r = run("sed -i 's/--bind-address=127.0.0.1/--bind-adress=127.0.0.1/' /host/etc/kubernetes/manifests/kube-scheduler.yaml; grep -n adress /host/etc/kubernetes/manifests/kube-scheduler.yaml; grep -c -- --leader-elect /host/etc/kubernetes/manifests/kube-scheduler.yaml | wc -l; cat /host/etc/kubernetes/manifests/kube-scheduler.yaml | head -2");
    assert.match(r.stdout, /^\d+: {4}- --bind-adress=127\.0\.0\.1$/m);
    assert.match(r.stdout, /^1\napiVersion: v1\nkind: Pod$/m);
    assert.equal(r.events.length, 1);
    assert.equal(r.events[0].path, '/host/etc/kubernetes/manifests/kube-scheduler.yaml');
    // A quantified group (the shape that backtracks without end) is refused rather than run.
    assert.match(run("echo aaaa | sed 's/\\(a*\\)*$/x/'").stderr, /a repeated group is not supported here/);
  });

  it('chroot /host: the node\'s systemctl and crictl; busybox has neither', () => {
    assert.match(run('systemctl status kubelet').stderr, /^sh: systemctl: not found$/m);
    const status = run('chroot /host systemctl status kubelet');
    assert.equal(status.code, 0);
    assert.match(status.stdout, /^● kubelet\.service - kubelet: The Kubernetes Node Agent\n {5}Loaded: loaded/);
    const stopped = run('chroot /host systemctl stop kubelet; chroot /host systemctl is-active kubelet');
    assert.equal(stopped.stdout, 'inactive');
    assert.equal(stopped.code, 3);
    assert.deepEqual(stopped.events.map((e) => [e.path, e.content]), [['unit:kubelet', '{"active":false}']]);
    assert.match(run('chroot /host systemctl status nope').stderr, /^Unit nope\.service could not be found\.$/m);
    assert.match(run('chroot /host crictl ps').stdout, /^CONTAINER {11}IMAGE {15}CREATED {13}STATE/);
    // chroot elsewhere is only a root: no node commands there.
    assert.match(run('chroot /host/etc systemctl status kubelet').stderr, /sh: systemctl: not found/);
  });

  it('ssh from the node\'s root reaches the other nodes: their files and units, written as theirs', () => {
    const r = run('chroot /host ssh node01 cat /etc/hostname; chroot /host ssh node01 systemctl stop kubelet; chroot /host ssh node02 true');
    assert.match(r.stdout, /^node01$/m);
    assert.match(r.stderr, /^ssh: Could not resolve hostname node02: Temporary failure in name resolution$/m);
    assert.deepEqual(r.events.map((e) => e.path), ['node:node01:unit:kubelet']);
    const pod = { spec: { volumes: [{ name: 'host-root', hostPath: { path: '/' } }] } };
    const writes = hostWritesOf(pod, { volumeMounts: [{ name: 'host-root', mountPath: '/host' }] }, [...r.events, { path: '/host/etc/x', content: 'y' }, { path: '/tmp/z', content: 'z' }]);
    assert.deepEqual(Object.fromEntries(writes!), { node01: { files: {}, units: { kubelet: false } }, '': { files: { '/etc/x': 'y' }, units: {} } });
  });

  it('components read their flags: an unknown one is cobra\'s error; kube-apiserver without etcd gives up', () => {
    const refused = componentRun('kube-scheduler', ['--kubeconfig=/etc/kubernetes/scheduler.conf', '--bind-adress=127.0.0.1'])!;
    assert.equal(refused.lines[0].text, 'Error: unknown flag: --bind-adress');
    assert.equal(refused.lines[1].text, 'Usage:');
    assert.equal(refused.exit?.code, 1);
    assert.equal(componentRun('kube-scheduler', ['--kubeconfig=/etc/kubernetes/scheduler.conf', '--leader-elect=true']), undefined);
    const apiserver = componentRun('kube-apiserver', ['--advertise-address=192.168.0.10', '--etcd-servers=https://127.0.0.1:2380'])!;
    assert.equal(apiserver.exit?.code, 1);
    assert.match(String((apiserver.lines.at(-1)!.text as (at: number) => string)(0)), /^F\d{4} .* instance\.go:232\] Error creating leases: error creating storage factory: context deadline exceeded$/);
    assert.equal(componentRun('kube-apiserver', ['--advertise-address=192.168.0.10', '--etcd-servers=https://192.168.0.10:2379']), undefined);
  });
});

describe('the kubelet and the node lifecycle, on a manual clock', () => {
  it('an edited manifest gives a new mirror pod; a refused flag stops the scheduler until it is fixed', async () => {
    const cluster = await startControlPlane({ mode: 'manual', serve: false });
    try {
      const r = cluster.registry();
      const pods = cluster.catalog.find('', 'v1', 'pods')!;
      const path = '/etc/kubernetes/manifests/kube-scheduler.yaml';
      await cluster.drain();
      const before = await r.get(pods, 'kube-system', 'kube-scheduler-controlplane');
      await cluster.drain(10_000);
      assert.equal((await r.get(pods, 'kube-system', 'kube-scheduler-controlplane')).metadata.uid, before.metadata.uid, 'an unchanged manifest keeps its pod');
      const text = baseNodeFiles((await import('../src/registry/nodeFilesystem.ts')).nodeHost(await r.get(cluster.catalog.find('', 'v1', 'nodes')!, undefined, 'controlplane'), undefined, ''))[path];
      await updateNodeState(r, 'controlplane', (s) => { s.files[path] = text.replace('--bind-address=', '--bind-adress='); });
      await r.create(pods, 'default', { metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } as KubeObject);
      await cluster.drain(60_000);
      const broken = await r.get(pods, 'kube-system', 'kube-scheduler-controlplane') as Pod;
      assert.notEqual(broken.metadata.uid, before.metadata.uid);
      assert.match(JSON.stringify(broken.status), /CrashLoopBackOff|"exitCode":1/);
      assert.equal((await r.get(pods, 'default', 'web') as Pod).spec?.nodeName, undefined, 'nothing schedules');
      await updateNodeState(r, 'controlplane', (s) => { delete s.files[path]; });
      await cluster.drain(60_000);
      assert.equal((await r.get(pods, 'default', 'web') as Pod).spec?.nodeName, 'node01', 'scheduled once the manifest is fixed');
      // A manifest removed takes its mirror pod with it.
      await updateNodeState(r, 'controlplane', (s) => { s.files['/etc/kubernetes/manifests/etcd.yaml'] = null; });
      await cluster.drain(10_000);
      await assert.rejects(r.get(pods, 'kube-system', 'etcd-controlplane'), /not found/);
    } finally {
      await cluster.close();
    }
  });

  it('a stopped kubelet: Unknown after the grace period, tainted, its pods evicted when their tolerations run out; started again, Ready', async () => {
    const cluster = await startControlPlane({ mode: 'manual', serve: false });
    try {
      const r = cluster.registry();
      const pods = cluster.catalog.find('', 'v1', 'pods')!;
      const nodes = cluster.catalog.find('', 'v1', 'nodes')!;
      await r.create(pods, 'default', { metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } as KubeObject);
      await cluster.drain(30_000);
      assert.equal((await r.get(pods, 'default', 'web') as Pod).status?.phase, 'Running');
      await updateNodeState(r, 'node01', (s) => { s.units.kubelet = { active: false, since: new Date(cluster.clock.now().getTime()).toISOString() }; });
      await cluster.drain(30_000);
      const ready = async () => ((await r.get(nodes, undefined, 'node01')) as Node).status!.conditions!.find((c) => c.type === 'Ready')!;
      assert.equal((await ready()).status, 'True', 'within the grace period');
      await cluster.drain(30_000);
      assert.equal((await ready()).status, 'Unknown');
      assert.equal((await ready()).message, 'Kubelet stopped posting node status.');
      // The node controller's event names the node as kubectl describe node asks for it: kind Node, no namespace.
      const events = (await r.list(cluster.catalog.find('', 'v1', 'events')!, 'default')).items as Array<KubeObject & { reason?: string; involvedObject?: Record<string, string> }>;
      assert.deepEqual(events.filter((e) => e.reason === 'NodeNotReady' && e.involvedObject?.kind === 'Node').map((e) => [e.involvedObject!.name, e.involvedObject!.namespace]), [['node01', undefined]]);
      const node = await r.get(nodes, undefined, 'node01') as Node;
      assert.deepEqual(node.spec?.taints?.map((t) => `${t.key}:${t.effect}`), ['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
      const web = await r.get(pods, 'default', 'web') as Pod;
      assert.equal((web.status?.conditions as Array<{ type: string; status: string }>).find((c) => c.type === 'Ready')?.status, 'False');
      assert.equal(web.metadata.deletionTimestamp, undefined, 'tolerated for 300 s');
      await cluster.drain(310_000);
      assert.ok((await r.get(pods, 'default', 'web')).metadata.deletionTimestamp, 'evicted, Terminating with no kubelet to confirm');
      await updateNodeState(r, 'node01', (s) => { s.units.kubelet = { active: true, since: new Date(cluster.clock.now().getTime()).toISOString() }; });
      await cluster.drain(30_000);
      assert.equal((await ready()).status, 'True');
      assert.equal(((await r.get(nodes, undefined, 'node01')) as Node).spec?.taints, undefined);
      await assert.rejects(r.get(pods, 'default', 'web'), /not found/, 'the kubelet finished the deletion');
      assert.equal((await readNodeState(r.store, 'node01')).state.units.kubelet.active, true);
    } finally {
      await cluster.close();
    }
  });
});
