import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { Kubectl } from '../../harness/kubectl.ts';
import { eventually } from '../helpers/eventually.ts';
import type { Entry } from './core.ts';

/** kubectl's output once it matches (bounded: a safety net, not a timing assertion). */
const until = (kubectl: Kubectl, args: string[], ok: (out: string) => boolean, what: string) =>
  eventually(async () => (await kubectl.run(args)).stdout, ok, what, 90_000);

const sorted = (text: string) => text.trim().split(/[\s,]+/).filter(Boolean).sort();
/** `ip:port` pairs in a cell such as `10.244.1.2:80,10.244.1.3:80`, sorted. */
const pairs = (cell: string) => sorted(cell.replace(/ \+ \d+ more\.\.\./, ''));

/**
 * Services get endpoints, budgets guard drains and nodes hold leases, as on a kubeadm
 * cluster: the endpoints, EndpointSlice and disruption controllers and the node leases,
 * judged by the real kubectl v1.35.
 */
export function endpointsScenario(label: string, open: () => Promise<Entry>) {
describe(`endpoints, disruption budgets and node leases (${label})`, () => {
  let server: Entry;
  let kubectl: Kubectl;
  let podIPs: string[] = [];
  const webIPs = async () => sorted(await kubectl.ok(['get', 'pods', '-l', 'app=web', '--field-selector=status.phase=Running', '-o', 'jsonpath={.items[*].status.podIP}']));

  before(async () => {
    server = await open();
    kubectl = new Kubectl(await server.kubeconfig());
  });
  after(() => server.close());

  it('kube-dns has its CoreDNS pods as endpoints; kubernetes has the API server', async () => {
    const coredns = sorted(await kubectl.ok(['get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns', '-o', 'jsonpath={.items[*].status.podIP}']));
    assert.equal(coredns.length, 2);
    const ep = await kubectl.ok(['get', 'endpoints', '-n', 'kube-system', 'kube-dns', '-o', 'yaml']);
    const dns = parse(ep);
    assert.deepEqual(dns.subsets[0].addresses.map((a: { ip: string }) => a.ip).sort(), coredns);
    assert.deepEqual(dns.subsets[0].ports.map((p: { name: string; port: number; protocol: string }) => `${p.name}/${p.port}/${p.protocol}`).sort(), ['dns-tcp/53/TCP', 'dns/53/UDP', 'metrics/9153/TCP']);
    assert.equal(dns.subsets[0].addresses[0].targetRef.kind, 'Pod');
    const slices = await kubectl.ok(['get', 'endpointslices', '-n', 'kube-system', '-l', 'kubernetes.io/service-name=kube-dns']);
    assert.match(slices, /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE$/m);
    assert.match(slices, /^kube-dns-[a-z0-9]{5}\s+IPv4\s+53,53,9153\s+10\.244\.0\.\d+,10\.244\.0\.\d+\s+\S+$/m);
    assert.match(await kubectl.ok(['get', 'endpoints', 'kubernetes']), /^kubernetes\s+192\.168\.0\.10:6443\s+\S+$/m);
    assert.match(await kubectl.ok(['describe', 'svc', 'kubernetes']), /^Endpoints:\s+192\.168\.0\.10:6443$/m);
  });

  it('expose deployment: get endpoints, get endpointslices -l and describe svc list the pod IPs', async () => {
    await kubectl.ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=2', '--port=80']);
    await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    assert.equal((await kubectl.ok(['expose', 'deployment', 'web', '--port=8080', '--target-port=80'])).trim(), 'service/web exposed');
    podIPs = await eventually(webIPs, (ips) => ips.length === 2, 'two Running web pods');
    const want = podIPs.map((ip) => `${ip}:80`).sort();
    const row = await until(kubectl, ['get', 'endpoints', 'web', '--no-headers'], (out) => /^web\s+\S+/.test(out) && pairs(out.split(/\s+/)[1]).join() === want.join(), 'endpoints of web');
    assert.match(row, /^web\s+10\.244\.\d+\.\d+:80,10\.244\.\d+\.\d+:80\s+\S+\n$/);
    const slices = await kubectl.ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '--no-headers']);
    const m = /^(web-[a-z0-9]{5})\s+IPv4\s+80\s+(\S+)\s+\S+\n$/.exec(slices);
    assert.ok(m, slices);
    assert.deepEqual(sorted(m[2]), podIPs);
    const slice = parse(await kubectl.ok(['get', 'endpointslice', m[1], '-o', 'yaml']));
    assert.equal(slice.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.equal(slice.metadata.labels.app, 'web');
    assert.equal(slice.metadata.generateName, 'web-');
    assert.deepEqual(slice.metadata.ownerReferences.map((o: { kind: string; name: string; controller: boolean }) => `${o.kind}/${o.name}/${o.controller}`), ['Service/web/true']);
    assert.deepEqual(slice.ports, [{ name: '', port: 80, protocol: 'TCP' }]);
    for (const e of slice.endpoints) {
      assert.deepEqual(e.conditions, { ready: true, serving: true, terminating: false });
      assert.equal(e.nodeName, 'node01');
      assert.equal(e.targetRef.kind, 'Pod');
    }
    const described = await kubectl.ok(['describe', 'svc', 'web']);
    assert.match(described, /^TargetPort:\s+80\/TCP$/m);
    assert.deepEqual(pairs(/^Endpoints:\s+(\S+)$/m.exec(described)![1]), want);
  });

  it('a pod that is not ready is listed as notReadyAddresses, and as not ready in its slice', async () => {
    await kubectl.ok(['run', 'crash', '--image=busybox', '--labels=app=web', '--', 'sh', '-c', 'exit 1']);
    const notReady = await until(kubectl, ['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].notReadyAddresses[*].targetRef.name}'], (out) => out.trim() === 'crash', 'crash among notReadyAddresses');
    assert.equal(notReady.trim(), 'crash');
    const slice = await kubectl.ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'jsonpath={range .items[*].endpoints[*]}{.targetRef.name}={.conditions.ready}/{.conditions.serving}{"\\n"}{end}']);
    assert.match(slice, /^crash=false\/false$/m);
    // Still only the ready pods behind the service.
    assert.deepEqual(pairs(/^Endpoints:\s+(\S+)$/m.exec(await kubectl.ok(['describe', 'svc', 'web']))![1]), podIPs.map((ip) => `${ip}:80`).sort());
    await kubectl.ok(['delete', 'pod', 'crash', '--wait=true']);
    await until(kubectl, ['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].notReadyAddresses}'], (out) => out.trim() === '', 'crash gone from the endpoints');
  });

  it('scaling to 0 empties them; scaling back fills them again', async () => {
    await kubectl.ok(['scale', 'deployment', 'web', '--replicas=0']);
    await until(kubectl, ['get', 'endpoints', 'web', '--no-headers'], (out) => /^web\s+<none>\s/.test(out), 'web endpoints <none>');
    await until(kubectl, ['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '--no-headers'], (out) => /^web-[a-z0-9]{5}\s+IPv4\s+<unset>\s+<unset>\s/.test(out), 'an empty slice');
    assert.match(await kubectl.ok(['describe', 'svc', 'web']), /^Endpoints:\s*$/m);
    await kubectl.ok(['scale', 'deployment', 'web', '--replicas=2']);
    await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    podIPs = await eventually(webIPs, (ips) => ips.length === 2, 'two Running web pods');
    await until(kubectl, ['get', 'endpoints', 'web', '--no-headers'], (out) => pairs(out.split(/\s+/)[1] ?? '').join() === podIPs.map((ip) => `${ip}:80`).sort().join(), 'web endpoints back');
  });

  it('a PodDisruptionBudget: get pdb shows allowed disruptions; drain is refused with the 429, then --disable-eviction drains', async () => {
    await kubectl.ok(['create', 'pdb', 'web-pdb', '--selector=app=web', '--min-available=1']);
    await until(kubectl, ['get', 'pdb', 'web-pdb'], (out) => /^web-pdb\s+1\s+N\/A\s+1\s+\S+$/m.test(out), 'ALLOWED DISRUPTIONS 1');
    assert.match(await kubectl.ok(['get', 'pdb']), /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE$/m);
    const status = parse(await kubectl.ok(['get', 'pdb', 'web-pdb', '-o', 'yaml'])).status;
    assert.deepEqual({ ...status, conditions: undefined }, { currentHealthy: 2, desiredHealthy: 1, disruptionsAllowed: 1, expectedPods: 2, observedGeneration: 1, conditions: undefined });
    assert.deepEqual(status.conditions.map((c: { type: string; status: string; reason: string }) => `${c.type}=${c.status}/${c.reason}`), ['DisruptionAllowed=True/SufficientPods']);

    await kubectl.ok(['patch', 'pdb', 'web-pdb', '--type=merge', '-p', '{"spec":{"minAvailable":2}}']);
    await until(kubectl, ['get', 'pdb', 'web-pdb'], (out) => /^web-pdb\s+2\s+N\/A\s+0\s+\S+$/m.test(out), 'ALLOWED DISRUPTIONS 0');
    assert.match(await kubectl.ok(['describe', 'pdb', 'web-pdb']), /Allowed disruptions:\s+0/);
    const drain = await kubectl.run(['drain', 'node01', '--ignore-daemonsets', '--timeout=12s'], { timeoutMs: 60_000 });
    assert.notEqual(drain.code, 0);
    assert.match(drain.stderr, /error when evicting pods\/"web-[a-z0-9]+-[a-z0-9]{5}" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
    assert.equal(sorted(await kubectl.ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.podIP}'])).join(), podIPs.join(), 'both pods still there');

    const forced = await kubectl.run(['drain', 'node01', '--ignore-daemonsets', '--disable-eviction'], { timeoutMs: 90_000 });
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /node\/node01 drained/);
    await kubectl.ok(['uncordon', 'node01']);
  });

  it('each node has a Lease in kube-node-lease that keeps being renewed', async () => {
    const leases = await kubectl.ok(['get', 'leases', '-n', 'kube-node-lease']);
    assert.match(leases, /^NAME\s+HOLDER\s+AGE$/m);
    assert.match(leases, /^controlplane\s+controlplane\s+\S+$/m);
    assert.match(leases, /^node01\s+node01\s+\S+$/m);
    const lease = parse(await kubectl.ok(['get', 'lease', '-n', 'kube-node-lease', 'node01', '-o', 'yaml']));
    assert.equal(lease.spec.leaseDurationSeconds, 40);
    assert.equal(lease.spec.holderIdentity, 'node01');
    assert.match(lease.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.deepEqual(lease.metadata.ownerReferences.map((o: { kind: string; name: string }) => `${o.kind}/${o.name}`), ['Node/node01']);
    await until(kubectl, ['get', 'lease', '-n', 'kube-node-lease', 'node01', '-o', 'jsonpath={.spec.renewTime}'], (out) => out > lease.spec.renewTime, 'a later renewal');
    assert.match(await kubectl.ok(['describe', 'node', 'node01']), /^Lease:\n\s+HolderIdentity:\s+node01\n\s+AcquireTime:\s+<unset>\n\s+RenewTime:\s+\S/m);
  });

  it('deleting the service removes its endpoints and slices', async () => {
    await kubectl.ok(['delete', 'svc', 'web']);
    await until(kubectl, ['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'name'], (out) => out.trim() === '', 'slices gone');
    await until(kubectl, ['get', 'endpoints', '-o', 'name'], (out) => !/endpoints\/web$/m.test(out), 'endpoints gone');
  });
});
}
