import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { Kubectl } from '../../harness/kubectl.ts';
import { main } from '../../src/cli/main.ts';
import { clusterClient } from '../../src/cli/clusterClient.ts';
import type { ClusterApi } from '../../src/teach/client.ts';
import { scenarios } from '../../src/teach/scenarios/index.ts';
import type { Trace } from '../../src/trace/types.ts';
import { eventually } from '../helpers/eventually.ts';
import { runCli } from './tenancy.ts';

/**
 * Teaching tools with the real kubectl v1.35 on an entry (issue 16): the trace of `kubectl run web`
 * and of a refused request, and every break-and-fix scenario applied, its symptom seen with kubectl
 * as a student sees it, fixed with the documented kubectl command and then checked fixed. The
 * teacher's CLI runs in this process (its `main`), against the entry's admin API; the cluster is the
 * file's own (`cluster create NAME`). The scenarios of the control plane are fixed in the node shell
 * (`kubectl debug node/controlplane -i`, its lines on stdin); the expired certificate with openssl
 * and a CertificateSigningRequest. kubectl processes: 44 on either entry.
 */

/** What the file needs of a running entry (Node or Worker). */
export interface TeachEntry {
  /** The server's root (the admin API), and its admin token. */
  url: string;
  adminToken: string;
  /** The name of the file's own cluster, which the file creates (`cluster create NAME`): on a shared server, a name no other test uses. */
  cluster: string;
  /** Its lifetime (`--ttl`): a control plane whose clock runs faster needs a longer one to last the file. */
  ttl: string;
  /**
   * Whether a client certificate logs in (the Node entry's TLS asks for one; workerd and Lambda
   * function URLs cannot). Where it does not, the expired-cert scenario's kubeconfig, and the
   * renewed one after the fix, are refused for that reason: the test asserts that instead.
   */
  clientCertificates: boolean;
  /** How long a breakage, a pod's start or a fix may take to show (the control plane in real time waits longer). */
  settleMs: number;
}

interface Case {
  /** Waits (through the API, no kubectl) until the breakage shows: a path and what its JSON must contain. */
  settles?: [path: string, shows: RegExp];
  /** Then holds (through the API): a path and what its JSON must not contain. */
  without?: [path: string, lacks: RegExp];
  /** What the symptom's kubectl prints (stdout, then stderr). */
  symptom: [args: string[], shows: RegExp];
  /** Before the fix: what the student does outside kubectl (openssl). */
  prepare?: () => void;
  fix: Array<{ args: string[]; input?: string | (() => string); env?: Record<string, string> }>;
  /** After the check says fixed: what the student then sees working. */
  works?: (kubectl: Kubectl, api: ClusterApi) => Promise<void>;
}

const allowClient = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-client, namespace: storefront}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
    ports: [{protocol: TCP, port: 80}]
`;
const volume = `apiVersion: v1
kind: PersistentVolume
metadata: {name: db-pv}
spec:
  storageClassName: manual
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /mnt/data}
`;
const asReader = ['-n', 'monitoring', '--as=system:serviceaccount:monitoring:reader'];
/** The node shell as a student types into it: `kubectl debug node/controlplane -i`, its lines on stdin, `exit` ending it. */
const nodeShell = (lines: string[]) => ({ args: ['debug', 'node/controlplane', '-i', '--image=busybox', '--profile=general'], input: `${[...lines, 'exit', 'exit'].join('\n')}\n` });

/** What kubectl prints for a kubeconfig with only a client certificate, on an entry that cannot ask for one. */
const certificatesNotAccepted = /^error: You must be logged in to the server \(Unauthorized: client certificates are not accepted by this entry \(its platform cannot ask for them\): use a kubeconfig with a token\)$/m;

/**
 * Each scenario as a student meets it: the symptom with kubectl, then the documented fix. `desk` is
 * where scenarios hand out files (the expired-cert scenario's kubeconfig) and the student keeps keys.
 */
function casesFor(entry: TeachEntry, desk: string): Record<string, Case> {
  const devKubeconfig = join(desk, 'dev.kubeconfig');
  const renewal = (): string => `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata: {name: dev-renewal}
spec:
  request: ${readFileSync(join(desk, 'dev.csr')).toString('base64')}
  signerName: kubernetes.io/kube-apiserver-client
  usages: [client auth]
`;
  return {
    'image-typo': {
      settles: ['/api/v1/namespaces/shop/pods', /ImagePullBackOff|ErrImagePull/],
      symptom: [['get', 'pods', '-n', 'shop'], /^web-\S+\s+0\/1\s+(ErrImagePull|ImagePullBackOff)\s/m],
      fix: [{ args: ['set', 'image', 'deployment/web', 'web=nginx:1.27', '-n', 'shop'] }],
    },
    'crashloop-command': {
      settles: ['/api/v1/namespaces/jobs/pods', /CrashLoopBackOff/],
      symptom: [['get', 'pods', '-n', 'jobs'], /^worker-\S+\s+0\/1\s+CrashLoopBackOff\s/m],
      fix: [{ args: ['patch', 'deployment', 'worker', '-n', 'jobs', '--type=json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/command","value":["sh","-c","echo working; sleep 3600"]}]'] }],
    },
    'requests-too-large': {
      settles: ['/api/v1/namespaces/analytics/events', /FailedScheduling/],
      symptom: [['describe', 'pods', '-n', 'analytics'], /0\/2 nodes are available: 1 Insufficient cpu/],
      fix: [{ args: ['set', 'resources', 'deployment', 'report', '-n', 'analytics', '--requests=cpu=100m'] }],
    },
    'quota-blocks-deployment': {
      settles: ['/apis/apps/v1/namespaces/team-a/deployments/web', /"readyReplicas":2/],
      symptom: [['get', 'deployment', 'web', '-n', 'team-a'], /^web\s+2\/4\s/m],
      fix: [{ args: ['patch', 'resourcequota', 'pods', '-n', 'team-a', '--type=merge', '-p', '{"spec":{"hard":{"pods":"10"}}}'] }],
    },
    'node-tainted': {
      settles: ['/api/v1/namespaces/ops/events', /FailedScheduling/],
      symptom: [['describe', 'node', 'node01'], /^Taints:\s+maintenance=planned:NoSchedule$/m],
      fix: [{ args: ['taint', 'node', 'node01', 'maintenance-'] }],
    },
    'node-cordoned': {
      symptom: [['get', 'nodes'], /^node01\s+Ready,SchedulingDisabled\s/m],
      fix: [{ args: ['uncordon', 'node01'] }],
    },
    'nodeselector-mismatch': {
      settles: ['/api/v1/namespaces/ml/events', /FailedScheduling/],
      symptom: [['describe', 'pods', '-n', 'ml'], /didn't match Pod's node affinity\/selector/],
      fix: [{ args: ['label', 'node', 'node01', 'accelerator=nvidia-a100'] }],
    },
    'service-selector': {
      settles: ['/apis/apps/v1/namespaces/frontend/deployments/frontend', /"readyReplicas":2/],
      symptom: [['get', 'endpoints', 'frontend', '-n', 'frontend'], /^frontend\s+<none>\s/m],
      fix: [{ args: ['patch', 'svc', 'frontend', '-n', 'frontend', '-p', '{"spec":{"selector":{"app":"frontend"}}}'] }],
    },
    'service-targetport': {
      settles: ['/api/v1/namespaces/api/endpoints/api', /"ip"/],
      symptom: [['get', 'endpoints', 'api', '-n', 'api'], /^api\s+10\.244\.\d+\.\d+:8080\s/m],
      fix: [{ args: ['patch', 'svc', 'api', '-n', 'api', '--type=json', '-p', '[{"op":"replace","path":"/spec/ports/0/targetPort","value":80}]'] }],
    },
    'networkpolicy-deny': {
      symptom: [['get', 'networkpolicy', '-n', 'storefront'], /^default-deny-ingress\s+<none>\s/m],
      fix: [{ args: ['apply', '-f', '-'], input: allowClient }],
    },
    'coredns-scaled-to-zero': {
      // Scaled to 0, and its status caught up (no ready replica left): in real time that takes a pass or two.
      settles: ['/apis/apps/v1/namespaces/kube-system/deployments/coredns', /^(?!.*"readyReplicas":[1-9]).*"replicas":0/],
      symptom: [['get', 'deployment', 'coredns', '-n', 'kube-system'], /^coredns\s+0\/0\s/m],
      fix: [{ args: ['scale', 'deployment', 'coredns', '-n', 'kube-system', '--replicas=2'] }],
    },
    'coredns-configmap': {
      symptom: [['get', 'configmap', 'coredns', '-n', 'kube-system', '-o', 'jsonpath={.data.Corefile}'], /kubernetes cluster\.lcoal in-addr\.arpa/],
      fix: [{ args: ['edit', 'configmap', 'coredns', '-n', 'kube-system'], env: { KUBE_EDITOR: 'sed -i s/cluster.lcoal/cluster.local/' } }],
    },
    'pvc-no-pv': {
      symptom: [['get', 'pvc', '-n', 'data'], /^db-data\s+Pending\s+manual\s/m],
      fix: [{ args: ['apply', '-f', '-'], input: volume }],
    },
    'scheduler-bad-flag': {
      settles: ['/api/v1/namespaces/kube-system/pods/kube-scheduler-controlplane', /CrashLoopBackOff/],
      // The scheduler is down: the Deployment's pods wait with no event from it.
      without: ['/api/v1/namespaces/reports/events', /Scheduled|FailedScheduling/],
      symptom: [['logs', '-n', 'kube-system', 'kube-scheduler-controlplane'], /^Error: unknown flag: --bind-adress\nUsage:\n  kube-scheduler \[flags\]$/m],
      fix: [nodeShell(['chroot /host', "sed -i 's/--bind-adress/--bind-address/' /etc/kubernetes/manifests/kube-scheduler.yaml"])],
    },
    'kubelet-stopped': {
      // In real time (the Worker) the node controller's grace period is 40 s after the last heartbeat.
      settles: ['/api/v1/nodes/node01', /Kubelet stopped posting node status\./],
      symptom: [['get', 'nodes'], /^node01\s+NotReady\s/m],
      fix: [nodeShell(['chroot /host', 'ssh node01', 'systemctl start kubelet', 'exit'])],
    },
    'apiserver-etcd-servers': {
      settles: ['/api/v1/namespaces/kube-system/pods/kube-apiserver-controlplane', /CrashLoopBackOff/],
      symptom: [['logs', '-n', 'kube-system', 'kube-apiserver-controlplane', '--previous'], /grpc: addrConn\.createTransport failed to connect to \{Addr: "127\.0\.0\.1:2380".*dial tcp 127\.0\.0\.1:2380: connect: connection refused"\n(.|\n)*Error creating leases: error creating storage factory: context deadline exceeded/],
      fix: [nodeShell(['chroot /host', "sed -i 's#--etcd-servers=https://127.0.0.1:2380#--etcd-servers=https://127.0.0.1:2379#' /etc/kubernetes/manifests/kube-apiserver.yaml"])],
    },
    'expired-cert': {
      // Where no client certificate logs in, dev.kubeconfig is refused for that, not for its date:
      // the student still sees Unauthorized, with the reason the entry gives.
      symptom: [['--kubeconfig', devKubeconfig, 'get', 'pods'], entry.clientCertificates ? /^error: You must be logged in to the server \(Unauthorized\)$/m : certificatesNotAccepted],
      prepare: () => {
        execFileSync('/usr/bin/openssl', ['genrsa', '-out', join(desk, 'dev.key'), '2048'], { stdio: 'pipe' });
        execFileSync('/usr/bin/openssl', ['req', '-new', '-key', join(desk, 'dev.key'), '-subj', '/CN=dev/O=developers', '-out', join(desk, 'dev.csr')], { stdio: 'pipe' });
      },
      fix: [{ args: ['apply', '-f', '-'], input: renewal }, { args: ['certificate', 'approve', 'dev-renewal'] }],
      works: async (kubectl, api) => {
        const csr = await eventually(() => api.get<{ status?: { certificate?: string } }>('/apis/certificates.k8s.io/v1/certificatesigningrequests/dev-renewal'), (o) => !!o?.status?.certificate, 'dev-renewal issued', entry.settleMs);
        writeFileSync(join(desk, 'dev.crt'), Buffer.from(csr!.status!.certificate!, 'base64'));
        await kubectl.ok(['--kubeconfig', devKubeconfig, 'config', 'set-credentials', `dev@${entry.cluster}`, `--client-certificate=${join(desk, 'dev.crt')}`, `--client-key=${join(desk, 'dev.key')}`, '--embed-certs']);
        const seen = await kubectl.run(['--kubeconfig', devKubeconfig, 'get', 'pods']);
        // The renewed certificate logs dev in where certificates do; elsewhere it is refused as the expired one was.
        assert.match(seen.stderr, entry.clientCertificates ? /^No resources found in dev namespace\.$/m : certificatesNotAccepted, seen.stderr);
      },
    },
    'rbac-serviceaccount': {
      symptom: [['auth', 'can-i', 'list', 'pods', ...asReader], /^no$/m],
      fix: [
        { args: ['patch', 'role', 'pod-reader', '-n', 'monitoring', '--type=json', '-p', '[{"op":"replace","path":"/rules/0/verbs","value":["get","list","watch"]}]'] },
        { args: ['set', 'subject', 'rolebinding', 'reader-binding', '-n', 'monitoring', '--serviceaccount=monitoring:reader'] },
      ],
    },
  };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * `listThroughBin`: also list the scenarios through bin/apiserverless as a teacher types it (a Node
 * process of ~0.5 CPU-s; the list is the CLI's own table, no server is asked, so one entry runs it).
 */
export function teachScenario(label: string, open: () => Promise<TeachEntry>, { listThroughBin = false }: { listThroughBin?: boolean } = {}) {
  describe(`teaching tools, with the real kubectl (${label})`, () => {
    let entry: TeachEntry;
    let kubectl: Kubectl;
    let api: ClusterApi;
    let cases: Record<string, Case>;
    let name: string;
    const desk = mkdtempSync(join(tmpdir(), 'student-'));
    const cli = async (args: string[]): Promise<{ code: number; out: string }> => {
      let out = '';
      const code = await main([...args, '--server', entry.url, '--admin-token', entry.adminToken], (s) => { out += typeof s === 'string' ? s : Buffer.from(s).toString(); });
      return { code, out };
    };

    before(async () => {
      entry = await open();
      name = entry.cluster;
      cases = casesFor(entry, desk);
      const made = await cli(['cluster', 'create', name, '--ttl', entry.ttl]);
      assert.equal(made.code, 0, made.out);
      kubectl = new Kubectl(made.out);
      api = await clusterClient({ server: entry.url, token: entry.adminToken, insecure: true }, name);
    });

    it('traces kubectl run web: request, authentication, authorization, admission, validation, store, queue, scheduler, kubelet, in order', async () => {
      assert.match((await cli(['trace', 'start', '--cluster', name])).out, new RegExp(`^tracing of cluster "${escape(name)}" is on until \\S+Z`));
      assert.equal((await kubectl.ok(['run', 'web', '--image=nginx'])).trim(), 'pod/web created');
      await eventually(() => api.get<{ status?: { phase?: string } }>('/api/v1/namespaces/default/pods/web'), (p) => p?.status?.phase === 'Running', 'web Running', entry.settleMs);
      const text = (await cli(['trace', 'pod/web', '--cluster', name])).out;
      const steps = [
        /rev \d+  kubectl-run  POST \/api\/v1\/namespaces\/default\/pods\?fieldManager=kubectl-run \(create pods\) → 201, kubectl-v1\.35/,
        new RegExp(`authentication\\s+[\\d.]+ ms  bearer token \\(JWT\\) for cluster "${escape(name)}" bound to its uid, .*: user kubernetes-admin, groups system:masters, system:authenticated`),
        /authorization\s+[\d.]+ ms  allowed: group system:masters is allowed everything, before RBAC is asked/,
        /admission\s+[\d.]+ ms  ServiceAccount: mutating: changed spec\.containers, spec\.serviceAccountName, spec\.serviceAccount, spec\.volumes/,
        /admission\s+[\d.]+ ms  Priority: mutating: changed spec\.priority, spec\.preemptionPolicy/,
        /validation\s+[\d.]+ ms  valid: the Pod schema/,
        /admission\s+validating, admitted: NamespaceLifecycle, LimitRanger, PodSecurity, .*ResourceQuota/,
        new RegExp(`store\\s+[\\d.]+ ms  created /registry/${escape(name)}/core/pods/default/web at revision (\\d+)`),
        /queue\s+[\d.]+ ms  change event ADDED core\/pods\/default\/web/,
        /rev \d+  kube-scheduler \(binding\)  MODIFIED/,
        /scheduler\s+controlplane: filter: rejected by TaintToleration: node\(s\) had untolerated taint\(s\)/,
        /scheduler\s+node01: filter: feasible/,
        /scheduler\s+node01: bound to node01 through pods\/binding/,
        /kubelet\s+status write: phase Pending; web waiting \(ContainerCreating\)/,
        /kubelet on node01  event Normal Pulling/,
        // The kubelet's Events come before the status write that reports what they tell (it starts, then says so).
        /kubelet on node01  event Normal Started/,
        /kubelet\s+status write: phase Running; IP 10\.244\.1\.\d+; web running, ready/,
      ];
      const at = steps.map((re) => text.search(re));
      assert.ok(at.every((i) => i >= 0), `every step in the trace (missing: ${steps.filter((_, i) => at[i] < 0).join(' ')}):\n${text}`);
      assert.deepEqual([...at].sort((a, b) => a - b), at, `the steps in order:\n${text}`);
      assert.doesNotMatch(text, /Note:/, text);

      // The same as JSON, read by the student's own kubeconfig under the cluster's URL.
      const raw = JSON.parse(await kubectl.ok(['get', '--raw', '/debug/trace?resource=po&name=web'])) as Trace;
      assert.equal(raw.kind, 'Trace');
      assert.equal(raw.object.kind, 'Pod');
      assert.ok(raw.entries[0].spans.some((s) => s.step === 'store' && s.revision === raw.entries[0].revision));
    });

    it('shows the step that refused a request: authorization, for a user RBAC does not allow', async () => {
      const jane = new Kubectl((await cli(['user', 'create', name, 'jane', '--group', 'dev'])).out);
      const refused = await jane.run(['run', 'sneaky', '--image=nginx']);
      assert.match(refused.stderr, /pods is forbidden: User "jane" cannot create resource "pods" in API group "" in the namespace "default"/);
      const text = (await cli(['trace', 'pod/sneaky', '--cluster', name])).out;
      assert.match(text, /it does not exist now/);
      assert.match(text, /POST \/api\/v1\/namespaces\/default\/pods\?fieldManager=kubectl-run \(create pods\) → 403/);
      assert.match(text, /authentication\s+[\d.]+ ms  bearer token \(JWT\) .*: user jane, groups dev, system:authenticated/);
      assert.match(text, /authorization\s+[\d.]+ ms  REFUSED: refused: no RBAC rule allows it \(pods is forbidden: User "jane" cannot create/);
      assert.doesNotMatch(text, /admission|store/);
    });

    it('lists the scenarios through bin/apiserverless as a teacher types it', listThroughBin ? {} : { skip: 'the list is the CLI\'s own table (no server is asked): the Node entry\'s file runs it' }, async () => {
      const list = await runCli({ url: entry.url, adminToken: entry.adminToken }, ['scenario', 'list']);
      assert.equal(list.trim().split('\n').length, scenarios.length + 1);
      assert.ok(scenarios.length >= 12);
      for (const s of scenarios) assert.match(list, new RegExp(`^${s.name}\\s+${escape(s.summary)}$`, 'm'));
    });

    for (const scenario of scenarios) {
      it(`scenario ${scenario.name}: applied, seen with kubectl, fixed with kubectl, checked fixed`, async () => {
        const c = cases[scenario.name];
        assert.ok(c, `a kubectl case for ${scenario.name}`);
        assert.match((await cli(['scenario', 'apply', scenario.name, '--cluster', name, '--out-dir', desk])).out, new RegExp(`^scenario "${scenario.name}" applied to cluster "${escape(name)}"`));
        if (c.settles) {
          const [path, shows] = c.settles;
          await eventually(() => api.get(path).then((o) => JSON.stringify(o)), (s) => shows.test(s), `${path} to show ${shows}`, entry.settleMs);
        }
        if (c.without) {
          const [path, lacks] = c.without;
          assert.doesNotMatch(JSON.stringify(await api.get(path)), lacks, `${path} still lacks ${lacks}`);
        }
        const broken = await cli(['scenario', 'check', scenario.name, '--cluster', name]);
        assert.equal(broken.code, 1, broken.out);
        assert.match(broken.out, /NOT FIXED\n(.|\n)*FAIL/);
        const [args, shows] = c.symptom;
        const seen = await kubectl.run(args);
        assert.match(seen.stdout + seen.stderr, shows, `${args.join(' ')}:\n${seen.stdout}${seen.stderr}`);
        c.prepare?.();
        for (const step of c.fix) {
          const input = typeof step.input === 'function' ? step.input() : step.input;
          await kubectl.ok(step.args, { ...(input ? { input } : {}), ...(step.env ? { env: step.env } : {}) });
        }
        const fixed = await eventually(() => cli(['scenario', 'check', scenario.name, '--cluster', name]), (r) => r.code === 0, `${scenario.name} checked fixed`, Math.max(60_000, entry.settleMs));
        assert.match(fixed.out, new RegExp(`^scenario "${scenario.name}" on cluster "${escape(name)}": FIXED\n(  ok    .*\n)+$`));
        await c.works?.(kubectl, api);
      });
    }

    it('sees the RBAC fix as the student would: can-i says yes', async () => {
      assert.equal((await kubectl.ok(['auth', 'can-i', 'list', 'pods', ...asReader])).trim(), 'yes');
    });
  });
}
