import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Kubectl, olderKubectl } from '../../harness/kubectl.ts';
import { eventually } from '../helpers/eventually.ts';
import type { ExecEntry } from './exec.ts';
import { apiClient, type ApiClient } from '../helpers/api.ts';

/**
 * The cluster network from inside pods (issue 15), judged by the real kubectl v1.35 as a CKA
 * student drives it: nslookup, wget, curl and nc in busybox and curl pods reach Services
 * through CoreDNS and kube-proxy's rules, and NetworkPolicies decide what gets through.
 * Several checks share one `exec` (`sh -c '…; echo ---; …'`): each kubectl costs CPU.
 */

const cluster = `apiVersion: v1
kind: Namespace
metadata: { name: other, labels: { team: blue } }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: page }
data: { index.html: "<h1>from a ConfigMap</h1>\\n" }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
      - name: nginx
        image: nginx
        ports: [{ name: http, containerPort: 80 }]
        volumeMounts: [{ name: page, mountPath: /usr/share/nginx/html }]
      volumes: [{ name: page, configMap: { name: page } }]
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  type: NodePort
  selector: { app: web }
  ports: [{ port: 80, targetPort: http, nodePort: 30080 }]
---
apiVersion: v1
kind: Service
metadata: { name: web-headless }
spec:
  clusterIP: None
  selector: { app: web }
  ports: [{ port: 80 }]
---
apiVersion: v1
kind: Service
metadata: { name: nobody }
spec:
  selector: { app: nothing-has-this }
  ports: [{ port: 80 }]
---
apiVersion: v1
kind: Pod
metadata: { name: client, labels: { run: client } }
spec:
  containers: [{ name: client, image: busybox, command: [sleep, '3600'] }]
---
apiVersion: v1
kind: Pod
metadata: { name: curl, labels: { run: curl } }
spec:
  containers: [{ name: curl, image: curlimages/curl, command: [sleep, '3600'] }]
---
apiVersion: v1
kind: Pod
metadata: { name: old, namespace: other, labels: { run: old } }
spec:
  containers: [{ name: old, image: 'busybox:1.28', command: [sleep, '3600'] }]
`;

const denyIngress = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny-ingress }
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;

// Only the client pod, and only to the named port: the curl pod stays shut out.
const allowClient = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web-from-client }
spec:
  podSelector: { matchLabels: { app: web } }
  ingress:
  - from: [{ podSelector: { matchLabels: { run: client } } }]
    ports: [{ port: http }]
`;

const denyEgress = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: client-egress }
spec:
  podSelector: { matchLabels: { run: client } }
  policyTypes: [Egress]
`;

const allowDNS = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: client-dns }
spec:
  podSelector: { matchLabels: { run: client } }
  policyTypes: [Egress]
  egress:
  - to: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: kube-system } } }]
    ports: [{ protocol: UDP, port: 53 }, { protocol: TCP, port: 53 }]
`;

// What a CKA cluster has for Ingress tasks (ingress-nginx's bare-metal install, cut to what routes:
// its IngressClass, controller pod and NodePort Service), an httpd backend, two Ingresses sharing a
// host, and a Gateway with an HTTPRoute matching a path and a header.
const routed = `apiVersion: v1
kind: Namespace
metadata: { name: ingress-nginx }
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: nginx }
spec: { controller: k8s.io/ingress-nginx }
---
apiVersion: v1
kind: Pod
metadata: { name: ingress-nginx-controller, namespace: ingress-nginx, labels: { app.kubernetes.io/name: ingress-nginx, lab: l7 } }
spec:
  containers:
  - name: controller
    image: registry.k8s.io/ingress-nginx/controller:v1.12.1
    args: [/nginx-ingress-controller, --ingress-class=nginx]
    ports: [{ name: http, containerPort: 80 }]
---
apiVersion: v1
kind: Service
metadata: { name: ingress-nginx-controller, namespace: ingress-nginx }
spec:
  type: NodePort
  selector: { app.kubernetes.io/name: ingress-nginx }
  ports: [{ name: http, port: 80, targetPort: http, nodePort: 30090 }]
---
apiVersion: v1
kind: Pod
metadata: { name: api, labels: { app: api, lab: l7 } }
spec: { containers: [{ name: httpd, image: httpd }] }
---
apiVersion: v1
kind: Service
metadata: { name: api }
spec: { selector: { app: api }, ports: [{ port: 80 }] }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: shop }
spec:
  ingressClassName: nginx
  rules:
  - host: shop.example.com
    http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }] }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: shop-api, annotations: { nginx.ingress.kubernetes.io/rewrite-target: / } }
spec:
  ingressClassName: nginx
  rules:
  - host: shop.example.com
    http: { paths: [{ path: /api, pathType: Prefix, backend: { service: { name: api, port: { number: 80 } } } }] }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: shop-gw }
spec:
  gatewayClassName: nginx
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: shop }
spec:
  parentRefs: [{ name: shop-gw }]
  hostnames: [gw.example.com]
  rules:
  - matches: [{ path: { type: PathPrefix, value: /api } }, { headers: [{ name: X-Env, value: canary }] }]
    backendRefs: [{ name: api, port: 80 }]
  - backendRefs: [{ name: web, port: 80 }]
`;

/**
 * Waits until a Service's EndpointSlices list `count` ready endpoints: Ready pods reach them on the
 * EndpointSlice controller's next pass (as on a real cluster), and kube-proxy and CoreDNS read them.
 */
async function readyEndpoints(api: ApiClient, namespace: string, service: string, count: number): Promise<void> {
  type Slices = { items: Array<{ endpoints?: Array<{ conditions?: { ready?: boolean } }> }> };
  const ready = (list: Slices) => list.items.flatMap((slice) => slice.endpoints ?? []).filter((e) => e.conditions?.ready !== false).length;
  await eventually(() => api.get<Slices>(`/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D${service}`),
    (list) => ready(list) === count, `${count} ready endpoints for Service ${namespace}/${service}`, 120_000);
}

const numeric = (address: string) => address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const dnsHeader = 'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n';
const page = '<h1>from a ConfigMap</h1>\n';

export function networkScenario(label: string, open: () => Promise<ExecEntry>) {
describe(`cluster network from kubectl exec (${label})`, () => {
  let server: ExecEntry;
  let kubectl: Kubectl;
  /** Addresses by name: services' ClusterIPs, pods' IPs, and `node01`'s InternalIP. */
  const ip: Record<string, string> = {};
  const apply = (yaml: string) => kubectl.ok(['apply', '-f', '-'], { input: yaml });
  const sh = (pod: string, script: string, namespace = 'default') => kubectl.run(['exec', '-n', namespace, pod, '--', 'sh', '-c', script]);

  before(async () => {
    server = await open();
    kubectl = new Kubectl(await server.kubeconfig());
    await apply(cluster);
    // `wait pod --all` covers the pods that exist when it lists them: the Deployment's may not yet
    // (its ReplicaSet is a controller pass away), so its rollout is waited for first, as a user would.
    await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=120s']);
    for (const ns of ['default', 'other']) await kubectl.ok(['wait', '-n', ns, '--for=condition=Ready', 'pod', '--all', '--timeout=120s'], {});
    const api = await apiClient(server);
    for (const service of ['web', 'web-headless']) await readyEndpoints(api, 'default', service, 2);
    const listed = await kubectl.ok(['get', 'pods,services,nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.podIP}{.spec.clusterIP}{.status.addresses[0].address} {end}']);
    for (const pair of listed.trim().split(' ')) { const [name, address] = pair.split('='); ip[name] = address; }
  });
  after(() => server.close());

  it('nslookup: a Service, a headless Service, a pod name, an unknown name; resolv.conf\'s search path', async () => {
    const backends = Object.entries(ip).filter(([name]) => name.startsWith('web-') && name !== 'web-headless').map(([, a]) => a)
      .sort((a, b) => numeric(a) - numeric(b));
    const dashed = ip.client.replaceAll('.', '-');
    const result = await sh('client', `nslookup web.default.svc.cluster.local; echo "rc=$?"; echo ---; nslookup web-headless.default.svc.cluster.local; echo ---; nslookup ${dashed}.default.pod.cluster.local; echo ---; nslookup nosuch; echo "rc=$?"; echo ---; cat /etc/resolv.conf`);
    const nx = (name: string) => `** server can't find ${name}: NXDOMAIN\n\n`;
    const noAnswer = (name: string) => `*** Can't find ${name}: No answer\n\n`;
    assert.equal(result.stdout, [
      `${dnsHeader}Name:\tweb.default.svc.cluster.local\nAddress: ${ip.web}\n\n${noAnswer('web.default.svc.cluster.local')}rc=0\n`,
      `${dnsHeader}${backends.map((a) => `Name:\tweb-headless.default.svc.cluster.local\nAddress: ${a}\n`).join('')}\n${noAnswer('web-headless.default.svc.cluster.local')}`,
      `${dnsHeader}Name:\t${dashed}.default.pod.cluster.local\nAddress: ${ip.client}\n\n${noAnswer(`${dashed}.default.pod.cluster.local`)}`,
      `${dnsHeader}${['A', 'AAAA'].map(() => nx('nosuch.default.svc.cluster.local') + nx('nosuch.svc.cluster.local') + nx('nosuch.cluster.local')).join('')}rc=1\n`,
      'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
    ].join('---\n'));
    // busybox 1.28 resolves through libc (search list, ndots:5), which is why CKA courses pin it.
    const old = await sh('old', 'nslookup web.default; nslookup kubernetes.default', 'other');
    assert.equal(old.stdout, `Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      web.default\nAddress 1: ${ip.web} web.default.svc.cluster.local\n`
      + 'Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      kubernetes.default\nAddress 1: 10.96.0.1 kubernetes.default.svc.cluster.local\n');
  });

  it('wget, curl and nc reach the nginx backends: by name, ClusterIP, pod IP, NodePort; no endpoints is refused', async () => {
    const result = await sh('client', `wget -qO- http://web; wget -qO- web.default:80; wget -qO- http://${ip.web}:80; wget -qO- ${ip[Object.keys(ip).find((n) => n.startsWith('web-') && n !== 'web-headless')!]}; wget -qO- ${ip.node01}:30080; echo ---; nc -zv web 80; nc -zv -w 1 web 81; echo ---; wget -qO- http://nobody; echo "rc=$?"; wget -qO- ${ip.client}; echo "rc=$?"`);
    assert.equal(result.stdout, `${page.repeat(5)}---\n---\nrc=1\nrc=1\n`);
    assert.equal(result.stderr, `web (${ip.web}:80) open\nnc: web (${ip.web}:81): Connection timed out\n`
      + `wget: can't connect to remote host (${ip.nobody}): Connection refused\nwget: can't connect to remote host (${ip.client}): Connection refused\n`);
    const curled = await sh('curl', 'curl -s http://web.default.svc.cluster.local; curl -s -o /dev/null -w "%{http_code}\\n" http://web/nope; wget -qO- web');
    assert.equal(curled.stdout, `${page}404\n${page}`);
    const other = await sh('old', 'wget -qO- web.default', 'other');
    assert.equal(other.stdout, page);
  });

  it('a pod\'s own command reaches the network: `kubectl run --rm -i -- wget` prints the page; a finished probe pod\'s logs say what it met', async () => {
    const attached = await kubectl.run(['run', 'fetch', '-i', '--rm', '--restart=Never', '--image=busybox', '--', 'wget', '-qO-', 'web']);
    assert.deepEqual([attached.stdout, attached.code], [`${page}pod "fetch" deleted from default namespace\n`, 0], attached.stderr);
    await kubectl.ok(['run', 'probe', '--restart=Never', '--image=busybox', '--', 'sh', '-c', 'nslookup web.default.svc.cluster.local; wget -qO- -T 1 http://nobody; echo "rc=$?"']);
    await eventually(async () => (await kubectl.run(['get', 'pod', 'probe', '--no-headers'])).stdout, (out) => /^probe\s+0\/1\s+Completed\s/.test(out), 'probe Completed', 120_000);
    assert.equal(await kubectl.ok(['logs', 'probe']), `${dnsHeader}Name:\tweb.default.svc.cluster.local\nAddress: ${ip.web}\n\n*** Can't find web.default.svc.cluster.local: No answer\n\n`
      + `wget: can't connect to remote host (${ip.nobody}): Connection refused\nrc=1\n`);
  });

  it('Ingress and Gateway: curl with a Host header to the ingress controller\'s NodePort or the Gateway\'s address', async () => {
    await apply(routed);
    // Waited for through the API from here, not by polling with kubectl.
    const api = await apiClient(server);
    type Conditions = { conditions?: Array<{ type: string; status: string }> };
    await eventually(() => api.get<{ items: Array<{ status?: Conditions }> }>('/api/v1/pods?labelSelector=lab%3Dl7'), (list) =>
      list.items.length === 2 && list.items.every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')), 'the ingress controller and httpd Ready', 120_000);
    await readyEndpoints(api, 'default', 'api', 1);
    await readyEndpoints(api, 'ingress-nginx', 'ingress-nginx-controller', 1);
    await eventually(() => api.get<{ status?: { parents?: Conditions[] } }>('/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/shop'), (route) =>
      !!route.status?.parents?.[0]?.conditions?.some((c) => c.type === 'Accepted' && c.status === 'True'), 'the route accepted');
    // ingress-nginx publishes the node its pod runs on as each Ingress's address.
    await eventually(() => api.get<{ status?: { loadBalancer?: { ingress?: unknown[] } } }>('/apis/networking.k8s.io/v1/namespaces/default/ingresses/shop-api'), (ing) => !!ing.status?.loadBalancer?.ingress?.length, 'the Ingress\'s address');
    assert.match(await kubectl.ok(['get', 'ingress']), new RegExp(`^NAME\\s+CLASS\\s+HOSTS\\s+ADDRESS\\s+PORTS\\s+AGE\\nshop\\s+nginx\\s+shop\\.example\\.com\\s+${ip.node01.replaceAll('.', '\\.')}\\s+80\\s+\\S+\\nshop-api\\s+nginx\\s+shop\\.example\\.com\\s+${ip.node01.replaceAll('.', '\\.')}\\s+80\\s+\\S+\\n$`));
    const gateway = await api.get<{ status: { addresses: Array<{ value: string }> } }>('/apis/gateway.networking.k8s.io/v1/namespaces/default/gateways/shop-gw');
    const address = gateway.status.addresses[0].value;
    const result = await sh('curl', [
      `curl -s -H 'Host: shop.example.com' http://${ip.node01}:30090/`, `curl -s -H 'Host: shop.example.com' http://${ip.node01}:30090/api`,
      `curl -s -H 'Host: nope.example.com' http://${ip.node01}:30090/`, "wget -qO- --header 'Host: shop.example.com' ingress-nginx-controller.ingress-nginx/api", 'echo ---',
      `curl -s -H 'Host: gw.example.com' http://${address}/`, `curl -s -H 'Host: gw.example.com' -H 'X-Env: canary' http://${address}/`,
      `curl -sS -o /dev/null -w '%{http_code}\\n' http://${address}/`].join('; '));
    const itWorks = '<html><body><h1>It works!</h1></body></html>\n';
    assert.equal(result.stdout, `${page}${itWorks}<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
      + `${itWorks}---\n${page}${itWorks}404\n`);
  });

  it('exec -it through a terminal, with kubectl v1.35 and v1.32: the shell prompts, echoes, and its exit code comes back', async (t) => {
    if (!existsSync('/usr/bin/script')) { t.skip('util-linux `script` is not installed: no pseudo-terminal to drive kubectl exec -it'); return; }
    const older = olderKubectl();
    if (!older) t.diagnostic('kubectl v1.32 is not installed at /usr/bin/kubectl: only v1.35 is driven');
    for (const binary of [kubectl.binary, ...(older ? [older] : [])]) {
      // Each line is typed once the prompt is there, as a person would (kubectl has the terminal in raw mode by then).
      const child = spawn('/usr/bin/script', ['-q', '-e', '-c', `${binary} exec -it client -- sh`, '/dev/null'], { env: kubectl.env({ TERM: 'dumb' }) });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
      const waitFor = async (pattern: RegExp) => { for (let i = 0; i < 300 && !pattern.test(stdout); i++) await new Promise((r) => setTimeout(r, 100)); };
      try {
        await waitFor(/\/ # $/);
        child.stdin.write('wget -qO- web\n');
        await waitFor(/ConfigMap<\/h1>\r\n\/ # $/);
        child.stdin.end('exit 3\n');
        assert.equal(await exited, 3, `${binary}: ${stdout}`);
      } finally {
        child.kill();
      }
      // kubectl v1.32's WebSocket client starts reading before it has made its streams, so the kubelet's
      // "connected" frame (an empty one on stdout, sent at once) may come first and be logged, not lost:
      // client-go's race, which a fast server shows more often. That one line is its, not this server's.
      const shown = binary === older ? stdout.replace(/^E\d{4} [\d:.]+ +\d+ websocket\.go:\d+\] Unknown stream id 1, discarding message\r?\n/, '') : stdout;
      assert.match(shown, /^\/ # wget -qO- web\r\n<h1>from a ConfigMap<\/h1>\r\n\/ # exit 3\r\n/, binary);
    }
  });

  it('NetworkPolicies: default-deny ingress times out; an allow rule lets only its pod through', async () => {
    await apply(denyIngress);
    const denied = await sh('client', 'wget -qO- -T 1 http://web; echo "rc=$?"');
    assert.deepEqual([denied.stdout, denied.stderr], ['rc=1\n', 'wget: download timed out\n']);
    await apply(allowClient);
    const allowed = await sh('client', 'wget -qO- -T 1 http://web');
    assert.equal(allowed.stdout, page);
    const shut = await sh('curl', 'curl -sS --connect-timeout 1 http://web; echo "rc=$?"');
    assert.deepEqual([shut.stdout, shut.stderr], ['rc=28\n', 'curl: (28) Connection timed out after 1001 milliseconds\n']);
    const fromOther = await sh('old', 'wget -q -O - -T 1 web.default || echo blocked', 'other');
    assert.deepEqual([fromOther.stdout, fromOther.stderr], ['blocked\n', 'wget: download timed out\n']);
  });

  it('egress: denying it breaks DNS; allowing port 53 to kube-system brings names back, not the rest', async () => {
    await apply(denyEgress);
    const cut = await sh('client', 'nslookup -timeout=1 web; echo "rc=$?"');
    assert.equal(cut.stdout, ';; connection timed out; no servers could be reached\n\nrc=1\n');
    await apply(allowDNS);
    const dnsOnly = await sh('client', `nslookup web.default.svc.cluster.local >/dev/null && echo resolved; wget -qO- -T 1 web`);
    assert.deepEqual([dnsOnly.stdout, dnsOnly.stderr, dnsOnly.code], ['resolved\n', 'wget: download timed out\ncommand terminated with exit code 1\n', 1]);
  });

  it('CoreDNS scaled to 0: lookups time out', async () => {
    await kubectl.ok(['scale', '-n', 'kube-system', 'deployment', 'coredns', '--replicas=0']);
    await eventually(async () => (await kubectl.run(['get', 'endpointslices', '-n', 'kube-system', '-l', 'kubernetes.io/service-name=kube-dns', '-o', 'jsonpath={.items[*].endpoints[*].conditions.ready}'])).stdout,
      (out) => !out.includes('true'), 'kube-dns without ready endpoints', 120_000);
    const lookup = await sh('client', 'nslookup -timeout=1 kubernetes.default.svc.cluster.local; echo "rc=$?"');
    assert.equal(lookup.stdout, ';; connection timed out; no servers could be reached\n\nrc=1\n');
    assert.equal(lookup.stderr, 'nslookup: read: Connection refused\nnslookup: read: Connection refused\n');
  });
});
}
