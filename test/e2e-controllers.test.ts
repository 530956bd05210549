import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kubectl } from '../harness/kubectl.ts';
import { startControlPlane, type ControlPlaneCluster } from './helpers/controlplane.ts';
import { eventually } from './helpers/eventually.ts';

/**
 * The controllers (Deployment → ReplicaSet → Pod, Job, DaemonSet, garbage
 * collection), judged by the real kubectl v1.35 against the Node entry with an
 * in-process queue on a clock ten times faster than real time. Waits poll the
 * cluster; their bounds are safety nets, not timing assertions.
 */


const lines = (out: string) => out.split('\n').filter((l) => l.trim());

describe('controllers, through the real kubectl', () => {
  let cluster: ControlPlaneCluster;
  let kubectl: Kubectl;
  /** `kubectl get pods -l app=web`: the rows, without the header. */
  const webPods = async () => lines(await kubectl.ok(['get', 'pods', '-l', 'app=web', '--no-headers']));
  const allRunning = (n: number) => (rows: string[]) => rows.length === n && rows.every((r) => /^web-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s/.test(r));

  before(async () => {
    cluster = await startControlPlane({ mode: 'live', timeScale: 0.1 });
    kubectl = new Kubectl(await cluster.kubeconfig());
  });
  after(() => cluster.close());

  it('kube-system has the kubeadm workloads: coredns Deployment, kube-proxy DaemonSet', async () => {
    const ds = await kubectl.ok(['get', 'ds', '-n', 'kube-system']);
    assert.match(ds, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE$/m);
    assert.match(ds, /^kube-proxy\s+2\s+2\s+2\s+2\s+2\s+kubernetes\.io\/os=linux\s+\S+$/m);
    assert.match(await kubectl.ok(['get', 'deploy', '-n', 'kube-system']), /^coredns\s+2\/2\s+2\s+2\s+\S+$/m);
    const rs = await kubectl.ok(['get', 'rs', '-n', 'kube-system', '-o', 'wide']);
    assert.match(rs, /^coredns-[a-z0-9]{9,10}\s+2\s+2\s+2\s+\S+\s+coredns\s+registry\.k8s\.io\/coredns\/coredns:v1\.12\.4\s+k8s-app=kube-dns,pod-template-hash=[a-z0-9]{9,10}$/m);
    const owner = await kubectl.ok(['get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-proxy', '-o', 'jsonpath={range .items[*]}{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name} {end}']);
    assert.equal(owner.trim(), 'DaemonSet/kube-proxy DaemonSet/kube-proxy');
    assert.match(await kubectl.ok(['rollout', 'status', 'ds/kube-proxy', '-n', 'kube-system']), /daemon set "kube-proxy" successfully rolled out/);
  });

  it('create deployment → rollout status → 3 Running pods owned through a ReplicaSet', async () => {
    assert.equal((await kubectl.ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=3'])).trim(), 'deployment.apps/web created');
    const status = await kubectl.run(['rollout', 'status', 'deployment/web', '--timeout=60s'], { timeoutMs: 90_000 });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /deployment "web" successfully rolled out\n$/);
    assert.match(await kubectl.ok(['get', 'deploy', 'web']), /^web\s+3\/3\s+3\s+3\s+\S+$/m);
    const rows = await eventually(webPods, allRunning(3), '3 Running web pods');
    const hash = /^web-([a-z0-9]+)-/.exec(rows[0])![1];
    assert.ok(rows.every((r) => r.startsWith(`web-${hash}-`)), 'all pods from one ReplicaSet');
    assert.equal((await kubectl.ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.labels.pod-template-hash}'])).trim(), `${hash} ${hash} ${hash}`);
    const describe = await kubectl.ok(['describe', 'deploy', 'web']);
    assert.match(describe, new RegExp(`Normal\\s+ScalingReplicaSet\\s+\\S+\\s+deployment-controller\\s+Scaled up replica set web-${hash} from 0 to 3`));
    assert.match(describe, /Available\s+True\s+MinimumReplicasAvailable/);
    assert.match(describe, /Progressing\s+True\s+NewReplicaSetAvailable/);
    assert.match(await kubectl.ok(['describe', 'rs', `web-${hash}`]), new RegExp(`Normal\\s+SuccessfulCreate\\s+\\S+\\s+replicaset-controller\\s+Created pod: web-${hash}-[a-z0-9]{5}`));
  });

  it('rollout status fails once a stuck rollout passes its progress deadline', async () => {
    await kubectl.ok(['create', 'deployment', 'stuck', '--image=nginx:does-not-exist']);
    await kubectl.ok(['patch', 'deployment', 'stuck', '-p', '{"spec":{"progressDeadlineSeconds":10}}']);
    const status = await kubectl.run(['rollout', 'status', 'deployment/stuck', '--timeout=60s'], { timeoutMs: 90_000 });
    assert.notEqual(status.code, 0);
    assert.equal(status.stderr.trim(), 'error: deployment "stuck" exceeded its progress deadline');
    assert.match(await kubectl.ok(['get', 'deploy', 'stuck', '--no-headers']), /^stuck\s+0\/1\s+1\s+0\s/);
    await kubectl.ok(['delete', 'deployment', 'stuck']);
  });

  it('kubectl scale deploy web --replicas=5 gives 5 pods', async () => {
    assert.match(await kubectl.ok(['scale', 'deploy', 'web', '--replicas=5']), /deployment\.apps\/web scaled/);
    await eventually(webPods, allRunning(5), '5 Running web pods');
    await eventually(() => kubectl.ok(['get', 'deploy', 'web', '--no-headers']), (o) => /^web\s+5\/5\s+5\s+5\s/.test(o), 'READY 5/5');
  });

  it('kubectl set image rolls out a new ReplicaSet; rollout history lists both revisions', async () => {
    const before = (await kubectl.ok(['get', 'rs', '-l', 'app=web', '-o', 'name'])).trim();
    assert.match(await kubectl.ok(['set', 'image', 'deploy/web', 'nginx=nginx:1.28']), /deployment\.apps\/web image updated/);
    const status = await kubectl.run(['rollout', 'status', 'deployment/web', '--timeout=60s'], { timeoutMs: 90_000 });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /deployment "web" successfully rolled out\n$/);
    const newHash = (await kubectl.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}'])).trim();
    assert.equal(newHash, '2');
    const rses = lines(await kubectl.ok(['get', 'rs', '-l', 'app=web', '--no-headers', '-o', 'custom-columns=NAME:.metadata.name,DESIRED:.spec.replicas,IMAGE:.spec.template.spec.containers[0].image']));
    assert.equal(rses.length, 2);
    const fresh = rses.find((r) => /nginx:1\.28$/.test(r))!;
    assert.match(fresh, /^web-[a-z0-9]+\s+5\s+nginx:1\.28$/);
    assert.ok(rses.some((r) => `replicaset.apps/${r.split(/\s+/)[0]}` === before && /\s0\s+nginx$/.test(r)), 'the old ReplicaSet is scaled to 0');
    const hash = /^web-([a-z0-9]+)/.exec(fresh)![1];
    const rows = await eventually(webPods, (r) => allRunning(5)(r) && r.every((l) => l.startsWith(`web-${hash}-`)), 'all pods on the new hash');
    assert.equal(rows.length, 5);
    assert.equal((await kubectl.ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.containers[0].image}'])).trim(), Array(5).fill('nginx:1.28').join(' '));
    const history = await kubectl.ok(['rollout', 'history', 'deployment/web']);
    assert.match(history, /^deployment\.apps\/web\s*\nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
    assert.match(await kubectl.ok(['describe', 'deploy', 'web']), new RegExp(`Scaled down replica set ${before.split('/')[1]} from \\d to 0`));
  });

  it('kubectl delete deploy web: its ReplicaSets and pods go too', async () => {
    assert.match(await kubectl.ok(['delete', 'deploy', 'web']), /deployment\.apps "web" deleted/);
    await eventually(() => kubectl.ok(['get', 'rs', '-l', 'app=web', '-o', 'name']), (o) => o.trim() === '', 'ReplicaSets gone');
    await eventually(webPods, (rows) => rows.length === 0, 'pods gone');
  });

  it('--cascade=orphan keeps the ReplicaSet and its pods; --cascade=foreground returns once the pods are gone', async () => {
    await kubectl.ok(['create', 'deployment', 'keep', '--image=nginx', '--replicas=2']);
    await kubectl.ok(['rollout', 'status', 'deployment/keep', '--timeout=60s']);
    assert.match(await kubectl.ok(['delete', 'deploy', 'keep', '--cascade=orphan']), /deployment\.apps "keep" deleted/);
    const rs = (await kubectl.ok(['get', 'rs', '-l', 'app=keep', '-o', 'name'])).trim();
    assert.match(rs, /^replicaset\.apps\/keep-[a-z0-9]+$/);
    assert.equal((await kubectl.ok(['get', rs, '-o', 'jsonpath={.metadata.ownerReferences[*].kind}'])).trim(), '', 'released by the collector');
    assert.equal(lines(await kubectl.ok(['get', 'pods', '-l', 'app=keep', '--no-headers'])).length, 2);
    const foreground = await kubectl.run(['delete', rs, '--cascade=foreground'], { timeoutMs: 90_000 });
    assert.equal(foreground.code, 0, foreground.stderr);
    // The ReplicaSet waited (foregroundDeletion) until its pods were gone.
    assert.deepEqual(lines(await kubectl.ok(['get', 'pods', '-l', 'app=keep', '--no-headers'])), []);
  });

  it('kubectl create job → wait --for=condition=complete → logs job/hello', async () => {
    assert.equal((await kubectl.ok(['create', 'job', 'hello', '--image=busybox', '--', 'echo', 'hello'])).trim(), 'job.batch/hello created');
    const waited = await kubectl.run(['wait', '--for=condition=complete', 'job/hello', '--timeout=60s'], { timeoutMs: 90_000 });
    assert.equal(waited.code, 0, waited.stderr);
    assert.equal(waited.stdout.trim(), 'job.batch/hello condition met');
    assert.equal(await kubectl.ok(['logs', 'job/hello']), 'hello\n');
    assert.match(await kubectl.ok(['get', 'jobs']), /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\nhello\s+Complete\s+1\/1\s+\d+s\s+\S+\n$/);
    assert.match(await kubectl.ok(['get', 'pods', '-l', 'job-name=hello', '--no-headers']), /^hello-[a-z0-9]{5}\s+0\/1\s+Completed\s+0\s/);
    const describe = await kubectl.ok(['describe', 'job', 'hello']);
    assert.match(describe, /Pods Statuses:\s+0 Active \(0 Ready\) \/ 1 Succeeded \/ 0 Failed/);
    assert.match(describe, /Normal\s+SuccessfulCreate\s+\S+\s+job-controller\s+Created pod: hello-[a-z0-9]{5}/);
    assert.match(describe, /Normal\s+Completed\s+\S+\s+job-controller\s+Job completed/);
  });

  it('a job that always fails: BackoffLimitExceeded after backoffLimit+1 pods', async () => {
    await kubectl.ok(['apply', '-f', '-'], {
      input: 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: fail\nspec:\n  backoffLimit: 1\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: fail\n        image: busybox\n        command: ["sh", "-c", "exit 1"]\n',
    });
    const waited = await kubectl.run(['wait', '--for=condition=failed', 'job/fail', '--timeout=60s'], { timeoutMs: 90_000 });
    assert.equal(waited.code, 0, waited.stderr);
    assert.match(await kubectl.ok(['get', 'job', 'fail', '--no-headers']), /^fail\s+Failed\s+0\/1\s/);
    assert.equal(lines(await kubectl.ok(['get', 'pods', '-l', 'job-name=fail', '--no-headers'])).length, 2);
    assert.match(await kubectl.ok(['describe', 'job', 'fail']), /Warning\s+BackoffLimitExceeded\s+\S+\s+job-controller\s+Job has reached the specified backoff limit/);
  });

  it('kubectl drain --ignore-daemonsets skips kube-proxy without --force', async () => {
    await kubectl.ok(['create', 'deployment', 'drained', '--image=nginx', '--replicas=2']);
    await kubectl.ok(['rollout', 'status', 'deployment/drained', '--timeout=60s']);
    const result = await kubectl.run(['drain', 'node01', '--ignore-daemonsets', '--delete-emptydir-data'], { timeoutMs: 90_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr + result.stdout, /Warning: ignoring DaemonSet-managed Pods: kube-system\/kube-proxy-[a-z0-9]{5}/);
    assert.match(result.stdout, /node\/node01 drained/);
    const left = await kubectl.ok(['get', 'pods', '-A', '--field-selector', 'spec.nodeName=node01', '-o', 'name']);
    assert.match(left, /^pod\/kube-proxy-[a-z0-9]{5}$/m);
    assert.doesNotMatch(left, /drained/);
    await kubectl.ok(['uncordon', 'node01']);
    await kubectl.ok(['delete', 'deployment', 'drained']);
  });
});
