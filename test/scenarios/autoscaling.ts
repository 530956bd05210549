import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kubectl, olderKubectl } from '../../harness/kubectl.ts';
import { eventually } from '../helpers/eventually.ts';
import { openScenario, type Entry } from './core.ts';

/** kubectl's output once it matches (bounded: a safety net, not a timing assertion). */
const until = (kubectl: Kubectl, args: string[], ok: (out: string) => boolean, what: string) =>
  eventually(async () => { const r = await kubectl.run(args); return r.stdout + r.stderr; }, ok, what, 120_000);

/** The rows of a `kubectl top` table, as cells. */
const rows = (out: string) => out.trim().split('\n').slice(1).map((line) => line.trim().split(/\s+/));
const millis = (cell: string) => Number(cell.replace(/m$/, ''));
const mebibytes = (cell: string) => Number(cell.replace(/Mi$/, ''));

/**
 * `kubectl top` against metrics.k8s.io and the HorizontalPodAutoscaler, as on a kubeadm
 * cluster with metrics-server: figures for nodes and pods, `kubectl autoscale` on kubectl
 * 1.35 (autoscaling/v2) and 1.32 (v1), a load generator calling a Service raising its pods'
 * usage until the HPA scales the Deployment up, and what `describe hpa` shows.
 */
export function autoscalingScenario(label: string, open: () => Promise<Entry>) {
describe(`kubectl top and the horizontal pod autoscaler (${label})`, () => {
  let server: Entry, kubectl: Kubectl;
  openScenario(open, (opened) => ({ server, kubectl } = opened));

  it('serves metrics.k8s.io as an APIService-backed group, as metrics-server registers it', async () => {
    const resources = await kubectl.ok(['api-resources', '--api-group=metrics.k8s.io']);
    assert.match(resources, /^nodes\s+metrics\.k8s\.io\/v1beta1\s+false\s+NodeMetrics$/m);
    assert.match(resources, /^pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics$/m);
    assert.match(await kubectl.ok(['get', 'apiservice', 'v1beta1.metrics.k8s.io']), /^v1beta1\.metrics\.k8s\.io\s+kube-system\/metrics-server\s+True\s+\S+$/m);
    assert.match(await kubectl.ok(['api-resources', '--api-group=autoscaling']), /^horizontalpodautoscalers\s+hpa\s+autoscaling\/v2\s+true\s+HorizontalPodAutoscaler$/m);
  });

  it('kubectl top nodes: usage and its share of allocatable, per node', async () => {
    const out = await kubectl.ok(['top', 'nodes']);
    assert.match(out, /^NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)\s*$/m);
    const byName = new Map(rows(out).map((r) => [r[0], r]));
    assert.deepEqual([...byName.keys()].sort(), ['controlplane', 'node01']);
    for (const [, row] of byName) {
      assert.match(row.slice(1).join(' '), /^\d+m \d+% \d+Mi \d+%$/);
      assert.ok(mebibytes(row[3]) > 100, `a node uses some memory: ${row}`);
    }
    // The control plane's pods (kube-apiserver, etcd, …) make it the busier node.
    assert.ok(millis(byName.get('controlplane')![1]) > millis(byName.get('node01')![1]), out);
    assert.match(await kubectl.ok(['top', 'node', 'node01']), /^node01\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%\s*$/m);
  });

  it('kubectl top pods: -A, --containers, -l and --sort-by', async () => {
    await kubectl.ok(['create', 'deployment', 'web', '--image=nginx', '--port=80']);
    await kubectl.ok(['set', 'resources', 'deployment', 'web', '--requests=cpu=200m', '--limits=cpu=500m']);
    await kubectl.ok(['expose', 'deployment', 'web', '--port=80']);
    await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    const web = await until(kubectl, ['top', 'pods', '-l', 'app=web'], (out) => rows(out).length === 1 && /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/.test(out), 'metrics of the web pod');
    assert.match(web, /^web-[a-z0-9]+-[a-z0-9]{5}\s+\dm\s+\d+Mi\s*$/m, 'an idle nginx uses a few millicores');

    const all = await kubectl.ok(['top', 'pods', '-A']);
    assert.match(all, /^NAMESPACE\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*$/m);
    assert.match(all, /^kube-system\s+kube-apiserver-controlplane\s+\d+m\s+\d+Mi\s*$/m);
    assert.match(all, /^default\s+web-\S+\s+\d+m\s+\d+Mi\s*$/m);

    const containers = await kubectl.ok(['top', 'pods', '-n', 'kube-system', '--containers', '-l', 'component=etcd']);
    assert.match(containers, /^POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*$/m);
    assert.match(containers, /^etcd-controlplane\s+etcd\s+\d+m\s+\d+Mi\s*$/m);

    for (const [key, column] of [['cpu', 2], ['memory', 3]] as const) {
      const sorted = rows(await kubectl.ok(['top', 'pods', '-A', `--sort-by=${key}`])).map((r) => (key === 'cpu' ? millis(r[column]) : mebibytes(r[column])));
      assert.deepEqual(sorted, [...sorted].sort((a, b) => b - a), `sorted by ${key}`);
    }
    const byCpu = rows(await kubectl.ok(['top', 'pods', '-A', '--sort-by=cpu']));
    assert.equal(byCpu[0][1], 'kube-apiserver-controlplane');
  });

  it('kubectl autoscale (v1.35, autoscaling/v2): get hpa shows the target against its utilization', async () => {
    const out = await kubectl.run(['autoscale', 'deployment', 'web', '--cpu-percent=50', '--min=1', '--max=5']);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout.trim(), 'horizontalpodautoscaler.autoscaling/web autoscaled');
    const hpa = await until(kubectl, ['get', 'hpa', 'web'], (o) => /cpu: \d+%\/50%/.test(o), 'a utilization in the TARGETS column');
    assert.match(hpa, /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE$/m);
    assert.match(hpa, /^web\s+Deployment\/web\s+cpu: [0-4]%\/50%\s+1\s+5\s+1\s+\S+$/m);
    // The same object through autoscaling/v1: the CPU target is its own field there.
    const v1 = JSON.parse(await kubectl.ok(['get', '--raw', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web']));
    assert.equal(v1.apiVersion, 'autoscaling/v1');
    assert.equal(v1.spec.targetCPUUtilizationPercentage, 50);
    assert.equal(typeof v1.status.currentCPUUtilizationPercentage, 'number');
  });

  it('kubectl autoscale (v1.32, autoscaling/v1) of pods without cpu requests: <unknown> and FailedGetResourceMetric', async (t) => {
    const older = olderKubectl();
    const client = older ? new Kubectl(await server.kubeconfig(), older) : kubectl;
    if (!older) t.diagnostic('kubectl 1.32 is not installed: the 1.35 client creates the HPA instead');
    await kubectl.ok(['create', 'deployment', 'plain', '--image=nginx']);
    await kubectl.ok(['rollout', 'status', 'deployment/plain', '--timeout=90s']);
    assert.equal((await client.ok(['autoscale', 'deployment', 'plain', '--cpu-percent=60', '--min=1', '--max=3'])).trim(), 'horizontalpodautoscaler.autoscaling/plain autoscaled');
    // The controller records its events before it writes the status: wait for the condition itself (a run read describe between the two).
    const described = await until(kubectl, ['describe', 'hpa', 'plain'], (o) => /ScalingActive\s+False\s+FailedGetResourceMetric/.test(o), 'the missing request in describe hpa');
    assert.match(described, /^Reference:\s+Deployment\/plain$/m);
    assert.match(described, /^\s+resource cpu on pods\s+\(as a percentage of request\):\s+<unknown> \/ 60%$/m);
    assert.match(described, /^\s+ScalingActive\s+False\s+FailedGetResourceMetric\s+the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container nginx of Pod plain-[a-z0-9]+-[a-z0-9]{5}$/m);
    assert.match(described, /Warning\s+FailedGetResourceMetric\s+\S+\s+horizontal-pod-autoscaler\s+failed to get cpu utilization: missing request for cpu in container nginx of Pod plain-/);
    assert.match(described, /Warning\s+FailedComputeMetricsReplicas\s+\S+\s+horizontal-pod-autoscaler\s+invalid metrics \(1 invalid out of 1\), first error is: failed to get cpu resource metric value: failed to get cpu utilization: missing request/);
    assert.match(await kubectl.ok(['get', 'hpa', 'plain']), /^plain\s+Deployment\/plain\s+cpu: <unknown>\/60%\s+1\s+3\s+1\s+\S+$/m);
    await kubectl.ok(['delete', 'hpa', 'plain']);
  });

  it('a load generator calling the Service makes its pods busy, and the HPA scales the Deployment up', async () => {
    await kubectl.ok(['run', 'load-generator', '--image=busybox:1.28', '--restart=Never', '--', '/bin/sh', '-c', 'while sleep 0.01; do wget -q -O- http://web; done']);
    const busy = await until(kubectl, ['top', 'pods', '-l', 'app=web'], (o) => rows(o).some((r) => millis(r[1]) >= 100), 'busy web pods');
    assert.ok(rows(busy).every((r) => millis(r[1]) <= 500), `throttled at the 500m limit: ${busy}`);
    const replicas = await until(kubectl, ['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}'], (o) => Number(o) >= 4, 'the HPA scaling web up');
    assert.ok(Number(replicas) <= 5, 'never past maxReplicas');
    const described = await until(kubectl, ['describe', 'hpa', 'web'], (o) => /SuccessfulRescale/.test(o), 'the rescale event');
    assert.match(described, /Normal\s+SuccessfulRescale\s+\S+\s+horizontal-pod-autoscaler\s+New size: 4; reason: cpu resource utilization \(percentage of request\) above target/);
    assert.match(described, /^\s+AbleToScale\s+True\s+\w+/m);
    assert.match(described, /^\s+ScalingActive\s+True\s+ValidMetricFound\s+the HPA was able to successfully calculate a replica count from cpu resource utilization \(percentage of request\)$/m);
    assert.match(described, /^Min replicas:\s+1$/m);
    assert.match(described, /^Max replicas:\s+5$/m);
    // Four, then five once the new pods share the load: 500m over 5 pods of 200m is 50%.
    const settled = await until(kubectl, ['get', 'hpa', 'web'], (o) => /^web\s+Deployment\/web\s+cpu: 50%\/50%\s+1\s+5\s+5\s/m.test(o), 'five replicas at the target');
    assert.match(settled, /cpu: 50%\/50%/);
  });
});
}
