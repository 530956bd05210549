import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterState, NetPod, NetPolicy } from '../src/runtime/clusterState.ts';
import { coreDNS, hostsFile, resolvConf } from '../src/runtime/dns.ts';
import { policiesAllow, type Connection } from '../src/runtime/networkPolicy.ts';
import { dial, type LoadingNetworkView } from '../src/runtime/network.ts';
import { runShell } from '../src/runtime/shell.ts';
import { gatewayControllerName } from '../src/runtime/httpRouting.ts';

/**
 * The simulated cluster network without a server: the NetworkPolicy evaluator's truth table,
 * CoreDNS's answers, and what nslookup, wget, curl and nc print in a pod, from a fixture cluster.
 */

const running = (name: string) => ({ name, state: { running: { startedAt: '2025-01-01T00:00:00Z' } } });
function pod(name: string, namespace: string, ip: string, labels: Record<string, string>, image = 'busybox', extra: Partial<NetPod['spec']> = {}): NetPod {
  const command = image === 'busybox' || image.startsWith('busybox:') || image.startsWith('curlimages') ? ['sleep', '3600'] : undefined;
  return {
    metadata: { name, namespace, uid: `uid-${name}`, labels },
    spec: { nodeName: 'node01', containers: [{ name: 'c', image, command, ports: image === 'nginx' ? [{ name: 'http', containerPort: 80 }] : [] }], ...extra },
    status: { phase: 'Running', podIP: ip, containerStatuses: [running('c')] },
  };
}

const web1 = pod('web-1', 'default', '10.244.1.10', { app: 'web' }, 'nginx');
const web2 = pod('web-2', 'default', '10.244.1.11', { app: 'web' }, 'nginx');
const client = pod('client', 'default', '10.244.1.20', { run: 'client' });
const other = pod('other', 'other', '10.244.1.30', { run: 'other' });
const coredns = pod('coredns-1', 'kube-system', '10.244.0.2', { 'k8s-app': 'kube-dns' }, 'registry.k8s.io/coredns/coredns:v1.12.1');
const apiserver: NetPod = {
  metadata: { name: 'kube-apiserver-controlplane', namespace: 'kube-system', uid: 'uid-apiserver' },
  spec: { nodeName: 'controlplane', hostNetwork: true, containers: [{ name: 'kube-apiserver', image: 'registry.k8s.io/kube-apiserver:v1.35.0', command: ['kube-apiserver', '--secure-port=6443'] }] },
  status: { phase: 'Running', podIP: '192.168.0.10', containerStatuses: [running('kube-apiserver')] },
};
const headlessPod = pod('db-0', 'default', '10.244.1.40', { app: 'db' }, 'nginx', { hostname: 'db-0', subdomain: 'db' });

const slice = (service: string, namespace: string, ports: Array<{ name: string; port: number; protocol?: string }>, endpoints: Array<{ ip: string; hostname?: string; ready?: boolean }>) => ({
  metadata: { name: `${service}-abc`, namespace, labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  ports: ports.map((p) => ({ protocol: 'TCP', ...p })),
  endpoints: endpoints.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready ?? true }, ...(e.hostname ? { hostname: e.hostname } : {}) })),
});

function cluster(policies: NetPolicy[] = [], dnsEndpoints = true): ClusterState {
  return {
    pods: [web1, web2, client, other, coredns, headlessPod, apiserver],
    services: [
      { metadata: { name: 'kubernetes', namespace: 'default' }, spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, targetPort: 6443 }] } },
      { metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] } },
      { metadata: { name: 'web', namespace: 'default' }, spec: { type: 'NodePort', clusterIP: '10.96.100.1', selector: { app: 'web' }, ports: [{ port: 8080, targetPort: 'http', nodePort: 30080 }] } },
      { metadata: { name: 'empty', namespace: 'default' }, spec: { clusterIP: '10.96.100.2', selector: { app: 'nothing' }, ports: [{ port: 80 }] } },
      { metadata: { name: 'db', namespace: 'default' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 80 }] } },
    ],
    endpointSlices: [
      slice('kubernetes', 'default', [{ name: 'https', port: 6443 }], [{ ip: '192.168.0.10' }]),
      slice('kube-dns', 'kube-system', [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53 }], dnsEndpoints ? [{ ip: '10.244.0.2' }] : []),
      slice('web', 'default', [{ name: '', port: 80 }], [{ ip: '10.244.1.10' }, { ip: '10.244.1.11' }]),
      slice('empty', 'default', [], []),
      slice('db', 'default', [{ name: '', port: 80 }], [{ ip: '10.244.1.40', hostname: 'db-0' }]),
    ],
    networkPolicies: policies,
    namespaces: ['default', 'other', 'kube-system'].map((name) => ({ metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...(name === 'other' ? { team: 'blue' } : {}) } } })),
    nodes: [
      { metadata: { name: 'controlplane' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.0.10' }] } },
      { metadata: { name: 'node01' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.0.11' }] } },
    ],
    ingresses: [], ingressClasses: [], gateways: [], httpRoutes: [],
  };
}

const policy = (name: string, spec: NetPolicy['spec'], namespace = 'default'): NetPolicy => ({ metadata: { name, namespace }, spec });

describe('NetworkPolicy evaluation', () => {
  const state = cluster();
  const nsLabels = (ns: string) => state.namespaces.find((n) => n.metadata.name === ns)!.metadata.labels!;
  const to = (p: NetPod) => ({ ip: p.status!.podIP!, pod: p, namespaceLabels: nsLabels(p.metadata.namespace!) });
  const conn = (from: NetPod, target: NetPod, port = 80, protocol: Connection['protocol'] = 'TCP'): Connection => ({ from: to(from), to: to(target), port, protocol });
  const allows = (policies: NetPolicy[], c: Connection) => policiesAllow(policies, c);

  it('no policy allows everything; default-deny ingress isolates only the pods it selects', () => {
    assert.equal(allows([], conn(client, web1)), true);
    const deny = policy('deny', { podSelector: {}, policyTypes: ['Ingress'] });
    assert.equal(allows([deny], conn(client, web1)), false);
    assert.equal(allows([deny], conn(web1, other)), true, 'other namespace is not isolated');
    const denyWeb = policy('deny-web', { podSelector: { matchLabels: { app: 'web' } } });
    assert.equal(allows([denyWeb], conn(web1, client)), true);
    assert.equal(allows([denyWeb], conn(client, web1)), false);
  });

  it('podSelector, namespaceSelector and both together (AND), or as two peers (OR)', () => {
    const fromClient = policy('p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { run: 'client' } } }] }] });
    assert.equal(allows([fromClient], conn(client, web1)), true);
    assert.equal(allows([fromClient], conn(other, web1)), false, 'a podSelector alone means the policy\'s namespace');
    const fromTeam = policy('p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'blue' } } }] }] });
    assert.equal(allows([fromTeam], conn(other, web1)), true);
    assert.equal(allows([fromTeam], conn(client, web1)), false);
    const both = policy('p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'blue' } }, podSelector: { matchLabels: { run: 'client' } } }] }] });
    assert.equal(allows([both], conn(other, web1)), false, 'AND: the namespace matches, the pod does not');
    const either = policy('p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'blue' } } }, { podSelector: { matchLabels: { run: 'client' } } }] }] });
    assert.equal(allows([either], conn(other, web1)), true);
    assert.equal(allows([either], conn(client, web1)), true);
    const byName = policy('p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['other'] }] } }] }] });
    assert.equal(allows([byName], conn(other, web1)), true);
  });

  it('ports: number, named, endPort range, protocol; an empty rule allows all', () => {
    const port = (ports: NonNullable<NetPolicy['spec']['ingress']>[number]['ports']) => policy('p', { podSelector: {}, ingress: [{ ports }] });
    assert.equal(allows([port([{ port: 80 }])], conn(client, web1, 80)), true);
    assert.equal(allows([port([{ port: 80 }])], conn(client, web1, 81)), false);
    assert.equal(allows([port([{ port: 'http' }])], conn(client, web1, 80)), true, 'named port of the destination pod');
    assert.equal(allows([port([{ port: 'http' }])], conn(web1, client, 80)), false, 'the destination has no port of that name');
    assert.equal(allows([port([{ port: 8000, endPort: 9000 }])], conn(client, web1, 8080)), true);
    assert.equal(allows([port([{ port: 8000, endPort: 9000 }])], conn(client, web1, 9001)), false);
    assert.equal(allows([port([{ protocol: 'UDP', port: 80 }])], conn(client, web1, 80)), false);
    assert.equal(allows([port([{ protocol: 'UDP' }])], conn(client, web1, 53, 'UDP')), true);
    assert.equal(allows([port([{ port: 80 }])], conn(client, web1, 0, 'ICMP')), false, 'a rule with ports allows no ICMP');
    assert.equal(allows([policy('p', { podSelector: {}, ingress: [{}] })], conn(client, web1, 0, 'ICMP')), true);
  });

  it('ipBlock with except; egress isolation and policyTypes', () => {
    const block = policy('p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.244.1.0/24', except: ['10.244.1.30/32'] } }] }] });
    assert.equal(allows([block], conn(client, web1)), true);
    assert.equal(allows([block], conn(other, web1)), false);
    const egressDeny = policy('e', { podSelector: { matchLabels: { run: 'client' } }, policyTypes: ['Egress'] });
    assert.equal(allows([egressDeny], conn(client, web1)), false);
    assert.equal(allows([egressDeny], conn(web1, client)), true, 'egress-only: ingress stays open');
    const dnsOnly = policy('e', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ protocol: 'UDP', port: 53 }] }] });
    assert.equal(allows([dnsOnly], conn(client, coredns, 53, 'UDP')), true);
    assert.equal(allows([dnsOnly], conn(client, web1)), false);
    const implicit = policy('i', { podSelector: {}, egress: [{}] });
    assert.equal(allows([implicit], conn(other, client)), false, 'egress rules without policyTypes isolate Ingress too');
  });
});

describe('CoreDNS answers', () => {
  const state = cluster();
  it('Services, headless endpoints, pods, reverse names, NXDOMAIN', () => {
    assert.deepEqual(coreDNS(state, 'web.default.svc.cluster.local', 'A').records.map((r) => r.data), ['10.96.100.1']);
    assert.deepEqual(coreDNS(state, 'WEB.default.svc.cluster.local.', 'A').records.map((r) => r.data), ['10.96.100.1']);
    assert.deepEqual(coreDNS(state, 'web.default.svc.cluster.local', 'AAAA'), { rcode: 'NOERROR', records: [], authoritative: true });
    assert.deepEqual(coreDNS(state, 'db.default.svc.cluster.local', 'A').records.map((r) => r.data), ['10.244.1.40']);
    assert.deepEqual(coreDNS(state, 'db-0.db.default.svc.cluster.local', 'A').records.map((r) => r.data), ['10.244.1.40']);
    assert.deepEqual(coreDNS(state, '10-244-1-10.default.pod.cluster.local', 'A').records.map((r) => r.data), ['10.244.1.10']);
    assert.equal(coreDNS(state, 'nope.default.svc.cluster.local', 'A').rcode, 'NXDOMAIN');
    assert.equal(coreDNS(state, 'web.svc.cluster.local', 'A').rcode, 'NXDOMAIN');
    assert.equal(coreDNS(state, 'kubernetes.default', 'A').rcode, 'NXDOMAIN');
    assert.deepEqual(coreDNS(state, '10.0.96.10.in-addr.arpa', 'PTR').records.map((r) => r.data), ['kube-dns.kube-system.svc.cluster.local']);
    assert.deepEqual(coreDNS(state, '40.1.244.10.in-addr.arpa', 'PTR').records.map((r) => r.data), ['db-0.db.default.svc.cluster.local']);
  });

  it('the kubelet\'s resolv.conf and hosts', () => {
    assert.equal(resolvConf(client), 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
    assert.match(hostsFile(headlessPod, '10.244.1.40'), /\n10\.244\.1\.40\tdb-0\.db\.default\.svc\.cluster\.local\tdb-0\n$/);
  });
});

describe('network commands in a pod', () => {
  const view = (self: NetPod, state = cluster()): LoadingNetworkView => ({
    state, self, now: () => Date.parse('2025-01-01T00:00:10Z'),
    containers: (p) => (p.spec.containers ?? []).map((c) => ({ input: { image: c.image ?? '', hostname: p.metadata.name ?? '', files: { '/usr/share/nginx/html/index.html': `<h1>${p.metadata.name}</h1>\n`, '/usr/share/nginx/html/api/index.html': `<h1>${p.metadata.name} api</h1>\n` } }, startedAt: 0 })),
    pending: () => false, loadPending: async () => {},
  });
  const files = (p: NetPod) => ({ '/etc/resolv.conf': resolvConf(p), '/etc/hosts': hostsFile(p, p.status?.podIP) });
  const sh = (script: string, image = 'busybox', state = cluster(), self = client) => {
    const r = runShell(['sh', '-c', script], { image, hostname: self.metadata.name!, files: files(self), exec: {} }, view(self, state));
    const text = (stderr: boolean) => r.out.filter((t) => !!t.stderr === stderr).map((t) => `${t.text as string}\n`).join('');
    return { stdout: text(false), stderr: text(true), code: r.code, elapsed: r.elapsed };
  };

  it('busybox nslookup: a Service through the search list, a full name, an unknown name, an address', () => {
    const short = sh('nslookup web');
    assert.equal(short.stdout, 'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: 10.96.100.1\n\n'
      + "** server can't find web.svc.cluster.local: NXDOMAIN\n\n** server can't find web.cluster.local: NXDOMAIN\n\n"
      + "*** Can't find web.default.svc.cluster.local: No answer\n\n** server can't find web.svc.cluster.local: NXDOMAIN\n\n** server can't find web.cluster.local: NXDOMAIN\n\n");
    assert.equal(short.code, 1, 'busybox exits 1 when any reply was NXDOMAIN');
    const full = sh('nslookup web.default.svc.cluster.local');
    assert.equal(full.stdout, 'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: 10.96.100.1\n\n*** Can\'t find web.default.svc.cluster.local: No answer\n\n');
    assert.equal(full.code, 0);
    assert.match(sh('nslookup x').stdout, /\*\* server can't find x\.default\.svc\.cluster\.local: NXDOMAIN\n/);
    assert.equal(sh('nslookup 10.96.0.10').stdout, 'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n10.0.96.10.in-addr.arpa\tname = kube-dns.kube-system.svc.cluster.local\n\n');
  });

  it('busybox 1.28 nslookup: getaddrinfo with the search list, reverse names', () => {
    const r = sh('nslookup kubernetes.default', 'busybox:1.28');
    assert.equal(r.stdout, 'Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      kubernetes.default\nAddress 1: 10.96.0.1 kubernetes.default.svc.cluster.local\n');
    const missing = sh('nslookup nope', 'busybox:1.28');
    assert.equal(missing.stderr, "nslookup: can't resolve 'nope'\n");
    assert.equal(missing.code, 1);
    const cross = sh('nslookup web.default', 'busybox:1.28', cluster(), other);
    assert.match(cross.stdout, /Address 1: 10\.96\.100\.1 web\.default\.svc\.cluster\.local\n$/);
  });

  it('no CoreDNS endpoints, or egress to port 53 denied: the lookup times out', () => {
    const down = sh('nslookup -timeout=1 web', 'busybox', cluster([], false));
    assert.equal(down.stdout, ';; connection timed out; no servers could be reached\n\n');
    assert.equal(down.stderr, 'nslookup: read: Connection refused\nnslookup: read: Connection refused\n');
    assert.equal(down.code, 1);
    assert.equal(down.elapsed, 1000);
    const denied = sh('nslookup -timeout=1 web; echo $?; wget -qO- -T 1 http://web:8080', 'busybox', cluster([policy('deny', { podSelector: {}, policyTypes: ['Egress'] })]));
    assert.equal(denied.stdout, ';; connection timed out; no servers could be reached\n\n1\n');
    assert.equal(denied.stderr, "wget: bad address 'web'\n");
  });

  it('wget and curl reach a ready endpoint through the ClusterIP, the NodePort and the pod IP', () => {
    assert.match(sh('wget -qO- http://web:8080').stdout, /^<h1>web-[12]<\/h1>\n$/);
    assert.match(sh('wget -qO- 192.168.0.11:30080').stdout, /^<h1>web-[12]<\/h1>\n$/);
    assert.equal(sh('wget -qO- 10.244.1.10').stdout, '<h1>web-1</h1>\n');
    assert.match(sh('curl -s web.default.svc.cluster.local:8080', 'curlimages/curl').stdout, /^<h1>web-[12]<\/h1>\n$/);
    assert.equal(sh('curl -s -o /dev/null -w "%{http_code}" http://10.244.1.10/nope', 'curlimages/curl').stdout, '404\n');
  });

  it('refusals and timeouts in each client\'s words', () => {
    const none = sh('wget -qO- http://empty');
    assert.equal(none.stderr, "wget: can't connect to remote host (10.96.100.2): Connection refused\n");
    assert.equal(none.code, 1);
    assert.equal(sh('wget -qO- http://nosuch').stderr, "wget: bad address 'nosuch'\n");
    assert.equal(sh('wget -qO- http://client').stderr, "wget: can't connect to remote host (10.244.1.20): Connection refused\n", 'its own name, from /etc/hosts');
    assert.equal(sh('wget -qO- 10.244.1.20:81').stderr, "wget: can't connect to remote host (10.244.1.20): Connection refused\n");
    const deny = cluster([policy('deny', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] })]);
    const blocked = sh('wget -qO- -T 2 http://web:8080', 'busybox', deny);
    assert.deepEqual([blocked.stderr, blocked.code, blocked.elapsed], ['wget: download timed out\n', 1, 2000]);
    const curled = sh('curl -sS --connect-timeout 1 http://web:8080', 'curlimages/curl', deny);
    assert.deepEqual([curled.stderr, curled.code], ['curl: (28) Connection timed out after 1001 milliseconds\n', 28]);
    assert.equal(sh('nc -zv web 8080').stderr, 'web (10.96.100.1:8080) open\n');
    assert.equal(sh('nc -zv -w 1 web 8080', 'busybox', deny).stderr, 'nc: web (10.96.100.1:8080): Connection timed out\n');
    assert.equal(sh('nc -zv empty 80').stderr, 'nc: empty (10.96.100.2:80): Connection refused\n');
    assert.equal(sh('nc -zv kubernetes.default 443').stderr, 'kubernetes.default (10.96.0.1:443) open\n', 'the API server, host-networked on the control plane');
    assert.equal(sh('nc -zv 192.168.0.11 22').stderr, 'nc: 192.168.0.11 (192.168.0.11:22): Connection refused\n');
    assert.equal(dial(view(client, deny), '10.96.100.1', 9999, 'TCP').kind, 'dropped', 'a ClusterIP port the Service lacks');
  });

  it('images without the command: nginx has curl only', () => {
    assert.equal(sh('wget -qO- web', 'nginx').stderr, 'sh: wget: not found\n');
    assert.match(sh('curl -s http://web:8080', 'nginx').stdout, /<h1>web-/);
  });

  describe('Ingress and Gateway routes', () => {
    const api = pod('api-1', 'default', '10.244.1.60', { app: 'api' }, 'nginx');
    const controller = pod('ingress-nginx-controller-1', 'ingress-nginx', '10.244.1.50', { 'app.kubernetes.io/name': 'ingress-nginx' }, 'registry.k8s.io/ingress-nginx/controller:v1.12.1');
    const backend = (name: string, port: number) => ({ service: { name, port: { number: port } } });
    const routes = (extra: Partial<ClusterState> = {}, policies: NetPolicy[] = []): ClusterState => {
      const base = cluster(policies);
      return {
        ...base,
        pods: [...base.pods, api, controller],
        services: [...base.services,
          { metadata: { name: 'api', namespace: 'default' }, spec: { clusterIP: '10.96.100.3', selector: { app: 'api' }, ports: [{ port: 80 }] } },
          { metadata: { name: 'ingress-nginx-controller', namespace: 'ingress-nginx' }, spec: { type: 'NodePort', clusterIP: '10.96.100.4', ports: [{ name: 'http', port: 80, nodePort: 30090 }] } }],
        endpointSlices: [...base.endpointSlices, slice('api', 'default', [{ name: '', port: 80 }], [{ ip: '10.244.1.60' }]),
          slice('ingress-nginx-controller', 'ingress-nginx', [{ name: 'http', port: 80 }], [{ ip: '10.244.1.50' }])],
        namespaces: [...base.namespaces, { metadata: { name: 'ingress-nginx' } }],
        ingressClasses: [{ metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } }],
        ingresses: [{
          metadata: { name: 'shop', namespace: 'default' },
          spec: { ingressClassName: 'nginx', rules: [{ host: 'foo.example.com', http: { paths: [
            { path: '/', pathType: 'Prefix', backend: backend('web', 8080) },
            { path: '/api', pathType: 'Prefix', backend: backend('api', 80) },
            { path: '/exact', pathType: 'Exact', backend: backend('api', 80) },
          ] } }, { host: 'empty.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('empty', 80) }] } }] },
        }, {
          metadata: { name: 'other-class', namespace: 'default' },
          spec: { ingressClassName: 'traefik', rules: [{ host: 'bar.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('web', 8080) }] } }] },
        }],
        gateways: [{ metadata: { name: 'gw', namespace: 'default' }, spec: { gatewayClassName: 'nginx', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] }, status: { addresses: [{ type: 'IPAddress', value: '192.168.0.210' }] } }],
        httpRoutes: [{
          metadata: { name: 'shop', namespace: 'default' },
          spec: {
            parentRefs: [{ name: 'gw' }], hostnames: ['gw.example.com'],
            rules: [
              { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [{ name: 'api', port: 80 }] },
              { matches: [{ headers: [{ name: 'X-Canary', value: 'yes' }] }], backendRefs: [{ name: 'api', port: 80 }] },
              { backendRefs: [{ name: 'web', port: 8080 }] },
              { matches: [{ path: { type: 'Exact', value: '/broken' } }], backendRefs: [{ name: 'nowhere', port: 80 }] },
            ],
          },
          status: { parents: [{ parentRef: { name: 'gw' }, controllerName: gatewayControllerName, conditions: [{ type: 'Accepted', status: 'True' }] }] },
        }, {
          metadata: { name: 'refused', namespace: 'default' },
          spec: { parentRefs: [{ name: 'gw' }], hostnames: ['no.example.com'], rules: [{ backendRefs: [{ name: 'web', port: 8080 }] }] },
          status: { parents: [{ parentRef: { name: 'gw' }, controllerName: gatewayControllerName, conditions: [{ type: 'Accepted', status: 'False' }] }] },
        }],
        ...extra,
      };
    };
    const curl = (args: string, state = routes()) => sh(`curl -s ${args}`, 'curlimages/curl', state);
    const notFound = '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

    it('ingress-nginx through its NodePort and its Service: host, Prefix, Exact; the longest match wins', () => {
      assert.match(curl("-H 'Host: foo.example.com' http://192.168.0.11:30090/").stdout, /^<h1>web-[12]<\/h1>\n$/);
      assert.equal(curl("-H 'Host: foo.example.com' http://192.168.0.11:30090/api/").stdout, '<h1>api-1 api</h1>\n');
      assert.equal(curl("-H 'Host: foo.example.com:30090' http://ingress-nginx-controller.ingress-nginx/exact -o /dev/null -w '%{http_code}'").stdout, '404\n', 'Exact /exact to api, which has no such file');
      assert.match(curl("-H 'Host: foo.example.com' http://192.168.0.11:30090/apix").stdout, /^<html>[^]*404 Not Found[^]*nginx\/1\.29\.1/, 'Prefix /api is not /apix: / to web, whose nginx has no such file');
      assert.match(curl("-i -H 'Host: foo.example.com' http://192.168.0.11:30090/").stdout, /^HTTP\/1\.1 200 OK\nServer: nginx\n/);
      assert.equal(sh("wget -qO- --header 'Host: foo.example.com' 192.168.0.11:30090/api/", 'busybox', routes()).stdout, '<h1>api-1 api</h1>\n');
    });

    it('ingress-nginx: no rule for the host is its default backend\'s 404; a Service without endpoints is 503; other classes are not its own', () => {
      const missing = curl("-i -H 'Host: nope.example.com' http://192.168.0.11:30090/");
      assert.equal(missing.stdout, `HTTP/1.1 404 Not Found\nServer: nginx\nDate: Wed, 01 Jan 2025 00:00:10 GMT\nContent-Type: text/html\nContent-Length: 146\nConnection: close\n\n${notFound}`);
      assert.equal(curl("-o /dev/null -w '%{http_code}' -H 'Host: bar.example.com' http://192.168.0.11:30090/").stdout, '404\n');
      assert.equal(curl("-o /dev/null -w '%{http_code}' -H 'Host: empty.example.com' http://192.168.0.11:30090/").stdout, '503\n');
      const wget = sh('wget -qO- 192.168.0.11:30090/', 'busybox', routes());
      assert.deepEqual([wget.stderr, wget.code], ['wget: server returned error: HTTP/1.1 404 Not Found\n', 1]);
      const withDefault = routes({ ingresses: [{ metadata: { name: 'catch-all', namespace: 'default' }, spec: { ingressClassName: 'nginx', defaultBackend: backend('api', 80) } }] });
      assert.equal(curl("-H 'Host: anything' http://192.168.0.11:30090/api/", withDefault).stdout, '<h1>api-1 api</h1>\n', 'an Ingress with only a defaultBackend takes every host');
      const rewriting = routes({ ingresses: [{ metadata: { name: 'pay', namespace: 'default', annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/' } }, spec: { ingressClassName: 'nginx', rules: [{ http: { paths: [{ path: '/pay', pathType: 'Prefix', backend: backend('api', 80) }] } }] } }] });
      assert.equal(curl('http://192.168.0.11:30090/pay/x', rewriting).stdout, '<h1>api-1</h1>\n', 'rewrite-target: / sends the whole path to /');
    });

    it('ingress-nginx connects from its own pod: a policy that admits only its namespace lets it through, a deny times out as a 504', () => {
      const onlyIngress = policy('from-ingress', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] }] });
      assert.match(curl("-H 'Host: foo.example.com' http://192.168.0.11:30090/", routes({}, [onlyIngress])).stdout, /^<h1>web-[12]<\/h1>\n$/);
      assert.equal(sh('wget -qO- -T 1 http://web:8080', 'busybox', routes({}, [onlyIngress])).stderr, 'wget: download timed out\n', 'the client itself is not admitted');
      const deny = policy('deny', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] });
      const timedOut = curl("-o /dev/null -w '%{http_code}' -H 'Host: foo.example.com' http://192.168.0.11:30090/", routes({}, [deny]));
      assert.deepEqual([timedOut.stdout, timedOut.elapsed], ['504\n', 5000]);
    });

    it('a Gateway\'s address: HTTPRoute hostnames, path and header matches; 404 without a match, 500 for a missing backend', () => {
      assert.match(curl("-H 'Host: gw.example.com' http://192.168.0.210/").stdout, /^<h1>web-[12]<\/h1>\n$/);
      assert.equal(curl("-H 'Host: gw.example.com' http://192.168.0.210/api/").stdout, '<h1>api-1 api</h1>\n');
      assert.equal(curl("-H 'Host: gw.example.com' -H 'X-Canary: yes' http://192.168.0.210/api/").stdout, '<h1>api-1 api</h1>\n');
      assert.equal(curl("-H 'Host: gw.example.com' -H 'x-canary: yes' http://192.168.0.210/").stdout, '<h1>api-1</h1>\n', 'header names match in any case');
      assert.equal(curl("-o /dev/null -w '%{http_code}' -H 'Host: no.example.com' http://192.168.0.210/").stdout, '404\n', 'a route not Accepted routes nothing');
      assert.equal(curl("-o /dev/null -w '%{http_code}' http://192.168.0.210/").stdout, '404\n', 'no Host the routes name');
      assert.equal(curl("-o /dev/null -w '%{http_code}' -H 'Host: gw.example.com' http://192.168.0.210/broken").stdout, '500\n');
      assert.equal(sh('wget -qO- -T 1 http://192.168.0.210:8080/', 'busybox', routes()).stderr, 'wget: download timed out\n', 'no listener on that port');
    });
  });
});
