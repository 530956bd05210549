import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { Kubectl, KubectlProcess } from '../harness/kubectl.ts';
import { startControlPlane, type ControlPlaneCluster } from './helpers/controlplane.ts';
import { eventually } from './helpers/eventually.ts';

/**
 * The scheduler and kubelets, judged by the real kubectl v1.35 against the Node
 * entry with an in-process queue on a clock ten times faster than real time.
 * Waits poll the cluster's state; their bounds are safety nets, not timing assertions.
 */


const podYaml = (name: string, spec: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n${spec}`;

describe('scheduler and kubelets, through the real kubectl', () => {
  let cluster: ControlPlaneCluster;
  let kubectl: Kubectl;
  const get = (name: string, ns = 'default') => kubectl.ok(['get', 'pod', name, '-n', ns, '-o', 'yaml']).then((y) => parse(y));
  const row = (name: string) => kubectl.ok(['get', 'pods', '-o', 'wide']).then((out) => out.split('\n').find((l) => l.startsWith(`${name} `)) ?? '');
  const waitRow = (name: string, re: RegExp) => eventually(() => row(name), (r) => re.test(r), `${name} to match ${re}`);
  const eventMessages = (name: string, reason: string) =>
    kubectl.ok(['get', 'events', '--field-selector', `involvedObject.name=${name},reason=${reason}`, '-o', 'jsonpath={range .items[*]}{.message}{"\\n"}{end}']);

  before(async () => {
    cluster = await startControlPlane({ mode: 'live', timeScale: 0.1 });
    kubectl = new Kubectl(await cluster.kubeconfig());
  });
  after(() => cluster.close());

  it('kubectl run nginx: Running on node01 with an IP, and the kubelet events in describe', async () => {
    assert.equal((await kubectl.ok(['run', 'nginx', '--image=nginx'])).trim(), 'pod/nginx created');
    const line = await waitRow('nginx', /^nginx\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.1\.\d+\s+node01\s+<none>\s+<none>$/);
    assert.ok(line);
    const describe = await kubectl.ok(['describe', 'pod', 'nginx']);
    assert.match(describe, /^Node:\s+node01\/192\.168\.0\.11$/m);
    assert.match(describe, /^Status:\s+Running$/m);
    assert.match(describe, /Container ID:\s+containerd:\/\/[0-9a-f]{64}/);
    assert.match(describe, /Image ID:\s+docker\.io\/library\/nginx@sha256:[0-9a-f]{64}/);
    assert.match(describe, /State:\s+Running\n\s+Started:/);
    assert.match(describe, /Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\/nginx to node01/);
    assert.match(describe, /Normal\s+Pulling\s+\S+\s+kubelet\s+.*Pulling image "nginx"/);
    assert.match(describe, /Normal\s+Pulled\s+\S+\s+kubelet\s+.*Successfully pulled image "nginx" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: 72095017 bytes\./);
    assert.match(describe, /Normal\s+Created\s+\S+\s+kubelet\s+.*Container created/);
    assert.match(describe, /Normal\s+Started\s+\S+\s+kubelet\s+.*Container started/);
    const pod = await get('nginx');
    assert.equal(pod.status.phase, 'Running');
    assert.equal(pod.status.hostIP, '192.168.0.11');
    assert.deepEqual(pod.status.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`),
      ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
    assert.equal(pod.status.containerStatuses[0].ready, true);
    assert.equal(pod.status.containerStatuses[0].restartCount, 0);
  });

  it('logs: nginx start-up lines, --tail, --timestamps, and the real errors', async () => {
    const logs = await kubectl.ok(['logs', 'nginx']);
    assert.match(logs, /^\/docker-entrypoint\.sh: Configuration complete; ready for start up$/m);
    assert.match(logs, /\[notice\] 1#1: start worker processes$/m);
    const tail = (await kubectl.ok(['logs', 'nginx', '--tail=2', '--timestamps'])).trim().split('\n');
    assert.equal(tail.length, 2);
    assert.match(tail[1], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[notice\] 1#1: start worker process \d+$/);
    const previous = await kubectl.run(['logs', 'nginx', '--previous']);
    assert.notEqual(previous.code, 0);
    assert.equal(previous.stderr.trim(), 'Error from server (BadRequest): previous terminated container "nginx" in pod "nginx" not found');
    const wrong = await kubectl.run(['logs', 'nginx', '-c', 'nope']);
    assert.equal(wrong.stderr.trim(), 'error: container nope is not valid for pod nginx');
  });

  it('busybox echo: Completed, and kubectl logs prints what it echoed', async () => {
    await kubectl.ok(['run', 'hello', '--image=busybox', '--restart=Never', '--', 'echo', 'hello']);
    await waitRow('hello', /^hello\s+0\/1\s+Completed\s+0\s/);
    assert.equal(await kubectl.ok(['logs', 'hello']), 'hello\n');
    assert.equal((await get('hello')).status.phase, 'Succeeded');
  });

  it('logs -f streams a running loop and ends when the container exits', async () => {
    // The cluster's clock runs 10× fast: the first sleep keeps the loop running for ~10 s of real
    // time, so the follow starts while it runs however slow the machine; should the machine be slower
    // still, following a finished container must print the same lines and end too.
    await kubectl.ok(['run', 'ticker', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'echo tick 1; sleep 100; echo tick 2; sleep 5; echo tick 3; sleep 5; echo bye']);
    await waitRow('ticker', /Running|Completed/);
    const follow = new KubectlProcess(kubectl, ['logs', '-f', 'ticker']);
    await follow.waitFor(/tick 1\n/);
    await follow.waitFor(/tick 3\nbye\n$/);
    assert.equal(await follow.exited, 0);
    assert.equal(follow.stdout, 'tick 1\ntick 2\ntick 3\nbye\n');
  });

  it('a nodeSelector that matches no node: Pending + FailedScheduling, then kubectl label schedules it', async () => {
    await kubectl.ok(['run', 'ssd', '--image=nginx', '--overrides={"spec":{"nodeSelector":{"disk":"ssd"}}}']);
    const message = await eventually(() => eventMessages('ssd', 'FailedScheduling'), (m) => m.length > 0, 'FailedScheduling');
    assert.equal(message.trim(), "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint(s). no new claims to deallocate, preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.");
    assert.match(await row('ssd'), /^ssd\s+0\/1\s+Pending\s+0\s+\S+\s+<none>\s+<none>/);
    const pending = await get('ssd');
    assert.deepEqual(pending.status.conditions.map((c: { type: string; status: string; reason: string }) => [c.type, c.status, c.reason]), [['PodScheduled', 'False', 'Unschedulable']]);
    await kubectl.ok(['label', 'node', 'node01', 'disk=ssd']);
    await waitRow('ssd', /^ssd\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.1\.\d+\s+node01/);
    assert.match(await kubectl.ok(['describe', 'pod', 'ssd']), /Successfully assigned default\/ssd to node01/);
  });

  it('taints and tolerations; repeated failures aggregate into one event', async () => {
    await kubectl.ok(['taint', 'node', 'node01', 'dedicated=special:NoSchedule']);
    await kubectl.ok(['run', 'plain', '--image=nginx']);
    await eventually(() => eventMessages('plain', 'FailedScheduling'), (m) => m.includes('2 node(s) had untolerated taint(s)'), 'plain FailedScheduling');
    await kubectl.ok(['run', 'tolerant', '--image=nginx', '--overrides={"spec":{"tolerations":[{"key":"dedicated","operator":"Equal","value":"special","effect":"NoSchedule"}]}}']);
    await waitRow('tolerant', /Running\s+0\s+\S+\s+10\.244\.1\.\d+\s+node01/);
    // A node change that does not help: the pod is tried again and the same event counts up.
    await kubectl.ok(['label', 'node', 'node01', 'zone=a']);
    const counted = await eventually(
      () => kubectl.ok(['get', 'events', '--field-selector', 'involvedObject.name=plain,reason=FailedScheduling', '-o', 'jsonpath={.items[*].count}']),
      (c) => c.trim() === '2', 'the FailedScheduling count to reach 2');
    assert.equal(counted.trim(), '2');
    await kubectl.ok(['taint', 'node', 'node01', 'dedicated=special:NoSchedule-']);
    await waitRow('plain', /Running\s+0\s+\S+\s+10\.244\.1\.\d+\s+node01/);
  });

  it('cordon and uncordon', async () => {
    assert.match(await kubectl.ok(['cordon', 'node01']), /node\/node01 cordoned/);
    assert.match(await kubectl.ok(['get', 'nodes']), /^node01\s+Ready,SchedulingDisabled\s+/m);
    await kubectl.ok(['run', 'waiting', '--image=nginx']);
    const message = await eventually(() => eventMessages('waiting', 'FailedScheduling'), (m) => m.length > 0, 'FailedScheduling');
    assert.match(message, /^0\/2 nodes are available: 1 node\(s\) had untolerated taint\(s\), 1 node\(s\) were unschedulable\./);
    assert.match(await kubectl.ok(['uncordon', 'node01']), /node\/node01 uncordoned/);
    await waitRow('waiting', /Running\s+0\s+\S+\s+10\.244\.1\.\d+\s+node01/);
  });

  it('requests larger than any node: Insufficient cpu', async () => {
    await kubectl.ok(['apply', '--validate=false', '-f', '-'], {
      input: podYaml('big', '  containers:\n  - name: big\n    image: nginx\n    resources:\n      requests:\n        cpu: "3"\n        memory: 100Mi\n'),
    });
    const message = await eventually(() => eventMessages('big', 'FailedScheduling'), (m) => m.length > 0, 'FailedScheduling');
    assert.equal(message.trim(), '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint(s). no new claims to deallocate, preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.');
    assert.match(await row('big'), /Pending/);
  });

  it('spec.nodeName set by hand skips the scheduler (even onto the tainted control plane)', async () => {
    await kubectl.ok(['apply', '--validate=false', '-f', '-'], { input: podYaml('pinned', '  nodeName: controlplane\n  containers:\n  - name: web\n    image: httpd\n') });
    await waitRow('pinned', /^pinned\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.0\.\d+\s+controlplane/);
    assert.equal((await eventMessages('pinned', 'Scheduled')).trim(), '');
    assert.match(await kubectl.ok(['logs', 'pinned']), /AH00094: Command line: 'httpd -D FOREGROUND'/);
  });

  it('a tag that does not exist: ErrImagePull, then ImagePullBackOff', async () => {
    await kubectl.ok(['run', 'bad', '--image=nginx:does-not-exist']);
    await waitRow('bad', /^bad\s+0\/1\s+ImagePullBackOff\s+0\s/);
    const describe = await kubectl.ok(['describe', 'pod', 'bad']);
    assert.match(describe, /Warning\s+Failed\s+.*Failed to pull image "nginx:does-not-exist": rpc error: code = NotFound desc = failed to pull and unpack image "docker\.io\/library\/nginx:does-not-exist"/);
    assert.match(describe, /Warning\s+Failed\s+.*Error: ErrImagePull/);
    assert.match(describe, /Normal\s+BackOff\s+.*Back-off pulling image "nginx:does-not-exist"/);
    assert.match(describe, /Reason:\s+ImagePullBackOff/);
    const logs = await kubectl.run(['logs', 'bad']);
    assert.match(logs.stderr, /Error from server \(BadRequest\): container "bad" in pod "bad" is waiting to start: (trying and failing to pull image|image can't be pulled)/);
  });

  it('a command that exits 1: Error, then CrashLoopBackOff with restarts climbing', async () => {
    await kubectl.ok(['run', 'crash', '--image=busybox', '--', 'sh', '-c', 'echo oops; exit 1']);
    const first = await waitRow('crash', /^crash\s+0\/1\s+CrashLoopBackOff\s+([2-9]|\d\d+) \(/);
    const restarts = Number(/CrashLoopBackOff\s+(\d+)/.exec(first)![1]);
    await waitRow('crash', new RegExp(`^crash\\s+0\\/1\\s+\\S+\\s+(?!${restarts} )\\d+ \\(`));
    const pod = await get('crash');
    const status = pod.status.containerStatuses[0];
    assert.ok(status.restartCount > restarts);
    assert.equal(status.lastState.terminated.exitCode, 1);
    assert.equal(status.lastState.terminated.reason, 'Error');
    assert.equal(pod.status.phase, 'Running');
    assert.match(await kubectl.ok(['describe', 'pod', 'crash']), /Warning\s+BackOff\s+.*Back-off restarting failed container crash in pod crash_default\(/);
    assert.equal(await kubectl.ok(['logs', 'crash', '--previous']), 'oops\n');
  });

  it('kubectl delete pod returns once the kubelet has stopped it, and the pod is gone', async () => {
    assert.match(await kubectl.ok(['delete', 'pod', 'nginx']), /pod "nginx" deleted/);
    const gone = await kubectl.run(['get', 'pod', 'nginx']);
    assert.equal(gone.stderr.trim(), 'Error from server (NotFound): pods "nginx" not found');
    assert.match(await eventMessages('nginx', 'Killing'), /Stopping container nginx/);
    // Pending (unbound) pods go at once.
    assert.match(await kubectl.ok(['delete', 'pod', 'big']), /pod "big" deleted/);
  });

  it('kube-system looks like a kubeadm cluster', async () => {
    const out = await kubectl.ok(['get', 'pods', '-n', 'kube-system']);
    for (const name of ['etcd-controlplane', 'kube-apiserver-controlplane', 'kube-controller-manager-controlplane', 'kube-scheduler-controlplane']) {
      assert.match(out, new RegExp(`^${name}\\s+1/1\\s+Running\\s+0\\s+`, 'm'));
    }
    assert.equal(out.match(/^coredns-[a-z0-9]{10}-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+/gm)?.length, 2);
    assert.equal(out.match(/^kube-proxy-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+/gm)?.length, 2);
    // The Corefile CoreDNS's pods mount, as kubeadm's addon writes it.
    assert.match(await kubectl.ok(['get', 'configmap', 'coredns', '-n', 'kube-system', '-o', 'jsonpath={.data.Corefile}']), /^\s+kubernetes cluster\.local in-addr\.arpa ip6\.arpa \{$/m);
    const describe = await kubectl.ok(['describe', 'pod', 'kube-apiserver-controlplane', '-n', 'kube-system']);
    assert.match(describe, /^Priority Class Name:\s+system-node-critical$/m);
    assert.match(describe, /Image:\s+registry\.k8s\.io\/kube-apiserver:v1\.35\.0/);
    for (const flag of ['--advertise-address=192.168.0.10', '--authorization-mode=Node,RBAC', '--etcd-servers=https://127.0.0.1:2379', '--service-cluster-ip-range=10.96.0.0/12', '--client-ca-file=/etc/kubernetes/pki/ca.crt']) {
      assert.ok(describe.includes(flag), flag);
    }
    assert.match(describe, /Liveness:\s+http-get https:\/\/192\.168\.0\.10:6443\/livez/);
    assert.match(await kubectl.ok(['logs', 'kube-apiserver-controlplane', '-n', 'kube-system']), /Serving securely on \[::\]:6443/);
  });

  it('kubectl drain evicts the pods of node01 and leaves it cordoned', async () => {
    const result = await kubectl.run(['drain', 'node01', '--ignore-daemonsets', '--force'], { timeoutMs: 90_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /node\/node01 drained/);
    assert.match(result.stdout, /evicting pod default\/ssd/);
    const left = await kubectl.ok(['get', 'pods', '-A', '--field-selector', 'spec.nodeName=node01', '-o', 'name']);
    assert.doesNotMatch(left, /pod\/(ssd|plain|tolerant|waiting)\b/);
    assert.match(await kubectl.ok(['get', 'nodes']), /^node01\s+Ready,SchedulingDisabled\s+/m);
    await kubectl.ok(['uncordon', 'node01']);
  });
});
