import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kubectl, KubectlProcess, olderKubectl } from '../../harness/kubectl.ts';
import { eventually, eventuallyPasses } from '../helpers/eventually.ts';

/**
 * kubectl exec (issue 15), judged by the real kubectl v1.35 (and v1.32 for skew): the
 * command runs in the simulated container with its env and files, over a WebSocket
 * (v5.channel.k8s.io), with kube-apiserver's and the kubelet's errors.
 */

export interface ExecEntry {
  token(cluster?: string, options?: { sub?: string; groups?: string[] }): Promise<string>;
  kubeconfig(cluster?: string, token?: string): Promise<string>;
  close(): Promise<void>;
}

const webPod = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: busybox
    command: ['sleep', '3600']
    env:
    - name: MODE
      valueFrom: { configMapKeyRef: { name: app-config, key: MODE } }
    - name: DB_PASSWORD
      valueFrom: { secretKeyRef: { name: db, key: password } }
    volumeMounts:
    - { name: config, mountPath: /etc/config }
    - { name: creds, mountPath: /etc/creds, readOnly: true }
  volumes:
  - name: config
    configMap: { name: app-config }
  - name: creds
    secret: { secretName: db }
`;

// Two containers sharing an emptyDir: what one writes, the other reads — exec'd or by their own commands,
// an init container's first.
const pairPod = `apiVersion: v1
kind: Pod
metadata:
  name: pair
spec:
  initContainers:
  - name: seed
    image: busybox
    command: ['sh', '-c', 'echo from-init > /seed/seeded']
    volumeMounts: [{ name: shared, mountPath: /seed }]
  containers:
  - name: writer
    image: busybox
    command: ['sh', '-c', 'echo started > /tmp/started; echo from-command > /out/command; sleep 3600']
    volumeMounts: [{ name: shared, mountPath: /out }]
  - name: reader
    image: busybox
    command: ['sleep', '3600']
    volumeMounts: [{ name: shared, mountPath: /in }]
  volumes:
  - name: shared
    emptyDir: {}
`;

// nginx serving the page its init container wrote into an emptyDir (a CKA task).
const seededWebPod = `apiVersion: v1
kind: Pod
metadata:
  name: seeded
spec:
  initContainers:
  - name: page
    image: busybox
    command: ['sh', '-c', 'echo "<h1>written by init</h1>" > /work/index.html']
    volumeMounts: [{ name: html, mountPath: /work }]
  containers:
  - name: nginx
    image: nginx
    volumeMounts: [{ name: html, mountPath: /usr/share/nginx/html }]
  volumes:
  - name: html
    emptyDir: {}
`;

// A container that never starts (its image cannot be pulled): scheduled, but nothing to exec in.
const brokenPod = `apiVersion: v1
kind: Pod
metadata:
  name: broken
spec:
  containers:
  - name: app
    image: nginx:does-not-exist
`;

// A pod no node accepts: it stays Pending, with no host to send an exec to.
const pendingPod = `apiVersion: v1
kind: Pod
metadata:
  name: pending
spec:
  nodeSelector: { disk: none-has-this }
  containers:
  - name: app
    image: busybox
    command: ['sleep', '3600']
`;

// A container that prints as it runs: what `kubectl attach` shows.
const tickerPod = `apiVersion: v1
kind: Pod
metadata:
  name: ticker
spec:
  containers:
  - name: main
    image: busybox
    command: ['sh', '-c', 'while true; do echo tick; sleep 1; done']
`;

// nginx as its image ships it (the welcome page), and a Deployment serving a ConfigMap's page behind a Service.
const sitePods = `apiVersion: v1
kind: Pod
metadata:
  name: plain
spec:
  containers:
  - name: nginx
    image: nginx
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: site
spec:
  replicas: 1
  selector: { matchLabels: { app: site } }
  template:
    metadata: { labels: { app: site } }
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports: [{ name: http, containerPort: 80 }]
        volumeMounts: [{ name: page, mountPath: /usr/share/nginx/html }]
      volumes:
      - name: page
        configMap: { name: page }
---
apiVersion: v1
kind: Service
metadata:
  name: site
spec:
  selector: { app: site }
  ports: [{ port: 8080, targetPort: http }]
`;

interface Page { status: number; headers: IncomingHttpHeaders; body: string }

/** One GET through a forwarded local port, on a connection of its own (Connection: close). */
function fetchPage(port: number, path: string): Promise<Page> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject);
  });
}

/** `kubectl port-forward TARGET :PORT` (a free local port), once it says where it listens. */
async function portForward(kubectl: Kubectl, target: string, port: number): Promise<{ process: KubectlProcess; local: number }> {
  const process = new KubectlProcess(kubectl, ['port-forward', target, `:${port}`]);
  await process.waitFor(/Forwarding from 127\.0\.0\.1:\d+ -> \d+\n/);
  return { process, local: Number(/127\.0\.0\.1:(\d+)/.exec(process.stdout)![1]) };
}

export function execScenario(label: string, open: () => Promise<ExecEntry>) {
describe(`kubectl exec (${label})`, () => {
  let server: ExecEntry;
  let kubectl: Kubectl;
  const apply = (yaml: string) => kubectl.ok(['apply', '-f', '-'], { input: yaml });

  before(async () => {
    server = await open();
    kubectl = new Kubectl(await server.kubeconfig());
    await kubectl.ok(['create', 'configmap', 'app-config', '--from-literal=MODE=prod', '--from-literal=key=value-from-configmap']);
    await kubectl.ok(['create', 'secret', 'generic', 'db', '--from-literal=password=s3cr3t']);
    await apply(webPod);
    await apply(pairPod);
    await apply(seededWebPod);
    await apply(brokenPod);
    await apply(pendingPod);
    await apply(tickerPod);
    await kubectl.ok(['create', 'configmap', 'page', '--from-literal=index.html=<h1>from a ConfigMap</h1>\n']);
    await apply(sitePods);
    await eventually(async () => (await kubectl.run(['get', 'pod', 'web', '--no-headers'])).stdout, (out) => /\s1\/1\s+Running\s/.test(out), 'web Running', 120_000);
  });
  after(() => server.close());

  it('runs a command: echo, env from a ConfigMap and a Secret, a mounted ConfigMap and Secret, ls /', async () => {
    assert.equal(await kubectl.ok(['exec', 'web', '--', 'echo', 'hi']), 'hi\n');
    const env = await kubectl.ok(['exec', 'web', '--', 'env']);
    assert.match(env, /^MODE=prod$/m);
    assert.match(env, /^DB_PASSWORD=s3cr3t$/m);
    assert.equal(await kubectl.ok(['exec', 'web', '--', 'sh', '-c', 'echo $MODE']), 'prod\n');
    assert.equal(await kubectl.ok(['exec', 'web', '--', 'cat', '/etc/config/key']), 'value-from-configmap\n');
    assert.equal(await kubectl.ok(['exec', 'web', '-c', 'web', '--', 'cat', '/etc/creds/password']), 's3cr3t\n');
    assert.equal(await kubectl.ok(['exec', 'web', '--', 'ls', '/']), 'bin\ndev\netc\nhome\nlib\nlib64\nproc\nroot\nsys\ntmp\nusr\nvar\n');
    // Looking around: who am I, what is mounted where, the env through a pipe.
    // date written to a file is the time it ran (the cluster's clock: the test's may run faster), as printed.
    const [printed, written] = (await kubectl.ok(['exec', 'web', '--', 'sh', '-c', 'date +%s; date +%s > /tmp/when; cat /tmp/when'])).trim().split('\n').map(Number);
    assert.ok(printed > 1.7e9 && Math.abs(written - printed) <= 60, `date +%s printed ${printed}, written ${written}`);
    assert.equal(await kubectl.ok(['exec', 'web', '--', 'id']), 'uid=0(root) gid=0(root) groups=0(root),10(wheel)\n');
    assert.equal(await kubectl.ok(['exec', 'web', '--', 'sh', '-c', 'mount | grep /etc/c; env | grep -e MODE -e DB_ | sort | cut -d= -f1']),
      '/dev/sda1 on /etc/config type ext4 (ro,relatime)\ntmpfs on /etc/creds type tmpfs (ro,relatime,size=3930112k)\nDB_PASSWORD\nMODE\n');
  });

  it('an emptyDir is shared by the pod\'s containers: one writes, the other reads, exec\'d or by their commands (an init container\'s first)', async () => {
    await eventually(async () => (await kubectl.run(['exec', 'pair', '-c', 'writer', '--', 'sh', '-c', 'echo from-writer > /out/note'])).code, (code) => code === 0, 'pair running', 120_000);
    assert.equal(await kubectl.ok(['exec', 'pair', '-c', 'reader', '--', 'cat', '/in/note']), 'from-writer\n');
    // What the containers' own commands wrote: the writer's file in its own filesystem only, the init container's
    // and the writer's files in the volume for both.
    assert.equal(await kubectl.ok(['exec', 'pair', '-c', 'writer', '--', 'cat', '/tmp/started', '/out/seeded', '/out/command']), 'started\nfrom-init\nfrom-command\n');
    assert.equal(await kubectl.ok(['exec', 'pair', '-c', 'reader', '--', 'cat', '/in/seeded', '/in/command']), 'from-init\nfrom-command\n');
    const elsewhere = await kubectl.run(['exec', 'pair', '-c', 'reader', '--', 'cat', '/tmp/started']);
    assert.equal(elsewhere.stderr, 'cat: can\'t open \'/tmp/started\': No such file or directory\ncommand terminated with exit code 1\n');
    // nginx serves the page its init container wrote.
    const ip = await eventually(() => kubectl.ok(['get', 'pod', 'seeded', '-o', 'jsonpath={.status.phase} {.status.podIP}']), (out) => /^Running \S+$/.test(out), 'seeded Running', 120_000);
    assert.equal(await kubectl.ok(['exec', 'pair', '-c', 'reader', '--', 'wget', '-qO-', `http://${ip.split(' ')[1]}/`]), '<h1>written by init</h1>\n');
  });

  it('the service account token reaches the API server with curl, as the pod\'s identity; RBAC decides what it may do', async () => {
    // nginx's image has curl (busybox's has only wget).
    const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
    const list = (flags: string) => ['exec', 'plain', '--', 'sh', '-c', `curl -s ${flags} -H "Authorization: Bearer $(cat ${sa}/token)" https://kubernetes.default.svc/api/v1/namespaces/default/pods`];
    const untrusted = await kubectl.run(['exec', 'plain', '--', 'sh', '-c', `curl -sS https://kubernetes.default.svc/version`]);
    assert.equal(untrusted.code, 60, untrusted.stderr);
    assert.match(untrusted.stderr, /^curl: \(60\) SSL certificate problem: unable to get local issuer certificate$/m);
    const forbidden = await kubectl.ok(list(`--cacert ${sa}/ca.crt`));
    assert.equal(JSON.parse(forbidden).message, 'pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"');
    assert.match(forbidden, /^{\n  "kind": "Status",\n/, 'pretty-printed for curl, as kube-apiserver does');
    await kubectl.ok(['create', 'rolebinding', 'default-view', '--clusterrole=view', '--serviceaccount=default:default']);
    const pods = await eventuallyPasses(async () => {
      const body = JSON.parse(await kubectl.ok(list('-k'))) as { kind: string; items: Array<{ metadata: { name: string } }> };
      assert.equal(body.kind, 'PodList', JSON.stringify(body).slice(0, 300));
      return body;
    });
    assert.ok(pods.items.some((p) => p.metadata.name === 'web'));
    // A forged token (the simulated one a container's own program reads) is refused.
    const forged = await kubectl.ok(['exec', 'plain', '--', 'sh', '-c', 'curl -sk -H "Authorization: Bearer eyJhbGciOiJub25lIn0.e30." https://10.96.0.1/api']);
    assert.equal(JSON.parse(forged).reason, 'Unauthorized');
  });

  it('a non-zero exit: kubectl says so and exits with the code; stderr stays stderr', async () => {
    const failed = await kubectl.run(['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 1']);
    assert.equal(failed.code, 1);
    assert.equal(failed.stdout, 'out\n');
    assert.equal(failed.stderr, 'err\ncommand terminated with exit code 1\n');
    const missing = await kubectl.run(['exec', 'web', '--', 'cat', '/nope']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "cat: can't open '/nope': No such file or directory\ncommand terminated with exit code 1\n");
  });

  it('an unknown command: the runtime\'s "executable file not found", exit code 126', async () => {
    const result = await kubectl.run(['exec', 'web', '--', 'foo']);
    assert.equal(result.code, 126);
    assert.equal(result.stdout, 'OCI runtime exec failed: exec failed: unable to start container process: exec: "foo": executable file not found in $PATH: unknown\n');
    assert.equal(result.stderr, 'command terminated with exit code 126\n');
  });

  it('-i: stdin reaches the command (cat echoes it; sh runs it)', async () => {
    assert.equal(await kubectl.ok(['exec', '-i', 'web', '--', 'cat'], { input: 'one\ntwo\n' }), 'one\ntwo\n');
    const script = await kubectl.run(['exec', '-i', 'web', '--', 'sh'], { input: 'echo $MODE\ncat /etc/config/key\nexit 4\n' });
    assert.equal(script.stdout, 'prod\nvalue-from-configmap\n');
    assert.equal(script.code, 4);
  });

  it('errors: pod not found, a container the pod does not have, a pod not running, one with no node', async () => {
    assert.equal((await kubectl.run(['exec', 'nope', '--', 'ls'])).stderr, 'Error from server (NotFound): pods "nope" not found\n');
    assert.equal((await kubectl.run(['exec', 'web', '-c', 'other', '--', 'ls'])).stderr, 'Error from server (BadRequest): container other is not valid for pod web\n');
    await eventually(async () => (await kubectl.run(['get', 'pod', 'broken', '--no-headers'])).stdout, (out) => /ErrImagePull|ImagePullBackOff/.test(out), 'broken waiting', 120_000);
    const broken = await kubectl.run(['exec', 'broken', '--', 'ls']);
    assert.equal(broken.code, 1);
    assert.equal(broken.stderr, 'error: Internal error occurred: unable to upgrade connection: container not found ("app")\n');
    assert.equal((await kubectl.run(['exec', 'pending', '--', 'ls'])).stderr, 'Error from server (BadRequest): pod pending does not have a host assigned\n');
  });

  it('RBAC: exec needs create on pods/exec; get alone is forbidden', async () => {
    await kubectl.ok(['create', 'role', 'peek', '--verb=get,list', '--resource=pods,pods/exec']);
    await kubectl.ok(['create', 'rolebinding', 'peek', '--role=peek', '--user=viewer']);
    const viewer = new Kubectl(await server.kubeconfig(undefined, await server.token(undefined, { sub: 'viewer', groups: ['system:authenticated'] })));
    await eventuallyPasses(async () => viewer.ok(['get', 'pod', 'web']));
    const refused = await viewer.run(['exec', 'web', '--', 'echo', 'hi']);
    assert.equal(refused.stderr, 'Error from server (Forbidden): pods "web" is forbidden: User "viewer" cannot create resource "pods/exec" in API group "" in the namespace "default"\n');
    await kubectl.ok(['create', 'role', 'execer', '--verb=create', '--resource=pods/exec']);
    await kubectl.ok(['create', 'rolebinding', 'execer', '--role=execer', '--user=viewer']);
    assert.equal(await eventuallyPasses(async () => viewer.ok(['exec', 'web', '--', 'echo', 'allowed'])), 'allowed\n');
  });

  it('attach: the container\'s output as it is printed; the same errors as exec', async () => {
    await eventually(async () => (await kubectl.run(['get', 'pod', 'ticker', '--no-headers'])).stdout, (out) => /\s1\/1\s+Running\s/.test(out), 'ticker Running', 120_000);
    const attached = new KubectlProcess(kubectl, ['attach', 'ticker']);
    try {
      await attached.waitFor(/tick\n/);
    } finally {
      await attached.stop();
    }
    assert.equal((await kubectl.run(['attach', 'broken'])).stderr.split('\n').at(-2), 'error: Internal error occurred: unable to upgrade connection: container not found ("app")');
  });

  it('run -i --rm: a shell on the pod\'s held-open stdin reads what is piped; a command\'s exit code comes back', async () => {
    const shell = await kubectl.run(['run', 'tmp', '-i', '--rm', '--image=busybox', '--', 'sh'], { input: 'echo $HOSTNAME\ncat /etc/hostname /nope 2>/dev/null || echo fallback\n' });
    assert.equal(shell.code, 0, shell.stderr);
    assert.match(shell.stdout, /^tmp\nfallback\n/);
    const once = await kubectl.run(['run', 'once', '-i', '--rm', '--restart=Never', '--image=busybox', '--', 'sh', '-c', 'echo done; exit 3']);
    assert.equal(once.code, 3, once.stderr);
    assert.match(once.stdout, /^done\n/);
  });

  it('cp: a mounted file out, a directory in and back out (UTF-8 intact), tar\'s words for what is missing', async () => {
    const local = mkdtempSync(join(tmpdir(), 'kubectl-cp-'));
    // Pod → local: kubectl runs `tar cf - /etc/config/key`; busybox's warning is printed on stdout, as kubectl does.
    assert.equal(await kubectl.ok(['cp', 'web:/etc/config/key', join(local, 'key')]), "tar: removing leading '/' from member names\n");
    assert.equal(readFileSync(join(local, 'key'), 'utf8'), 'value-from-configmap');
    // Local → pod: `test -d /tmp/site`, then `tar -xmf - -C /tmp` reading the archive from stdin; the next exec sees the files.
    mkdirSync(join(local, 'site', 'css'), { recursive: true });
    writeFileSync(join(local, 'site', 'index.html'), '<h1>héllo ✓</h1>\n');
    writeFileSync(join(local, 'site', 'css', 'main.css'), 'h1 { color: teal }\n');
    assert.equal(await kubectl.ok(['cp', join(local, 'site'), 'web:/tmp/site', '-c', 'web']), '');
    assert.equal(await kubectl.ok(['exec', 'web', '--', 'cat', '/tmp/site/index.html', '/tmp/site/css/main.css']), '<h1>héllo ✓</h1>\nh1 { color: teal }\n');
    await kubectl.ok(['cp', 'web:/tmp/site', join(local, 'back')]);
    assert.equal(readFileSync(join(local, 'back', 'index.html'), 'utf8'), '<h1>héllo ✓</h1>\n');
    assert.equal(readFileSync(join(local, 'back', 'css', 'main.css'), 'utf8'), 'h1 { color: teal }\n');
    // A missing source: tar says so on kubectl's stdout (its exit code races kubectl's own end, as on a real cluster).
    const missing = await kubectl.run(['cp', 'web:/nope', join(local, 'nope')]);
    assert.equal(missing.stdout, 'tar: /nope: No such file or directory\ntar: error exit delayed from previous errors\n');
    const nowhere = await kubectl.run(['cp', join(local, 'key'), 'web:/nope/key']);
    assert.equal(nowhere.code, 1);
    assert.equal(nowhere.stderr, "tar: can't change directory to '/nope': No such file or directory\ncommand terminated with exit code 1\n");
  });

  it('port-forward: pod/, deploy/ and svc/ reach nginx (its welcome page, a mounted ConfigMap page, its 404); a port nobody listens on is refused', async () => {
    for (const pods of [['plain'], ['-l', 'app=site']]) {
      await eventually(async () => (await kubectl.run(['get', 'pods', ...pods, '--no-headers'])).stdout, (out) => /\s1\/1\s+Running\s/.test(out), `${pods.join(' ')} Running`, 120_000);
    }
    const plain = await portForward(kubectl, 'pod/plain', 80);
    try {
      const welcome = await fetchPage(plain.local, '/');
      assert.equal(welcome.status, 200);
      assert.match(welcome.body, /<title>Welcome to nginx!<\/title>/);
      assert.equal(welcome.headers['content-length'], '615');
      assert.match(String(welcome.headers.server), /^nginx\/1\.\d+\.\d+$/);
      const missing = await fetchPage(plain.local, '/nope.html');
      assert.equal(missing.status, 404);
      assert.match(missing.body, /<center><h1>404 Not Found<\/h1><\/center>/);
      assert.match(plain.process.stdout, /Handling connection for \d+\n/);
    } finally {
      await plain.process.stop();
    }
    // deploy/ is resolved to a pod by kubectl; svc/ also maps the Service's port (8080) to the container's (80).
    for (const [target, port] of [['deploy/site', 80], ['svc/site', 8080]] as const) {
      const forward = await portForward(kubectl, target, port);
      try {
        const page = await fetchPage(forward.local, '/');
        assert.equal(page.body, '<h1>from a ConfigMap</h1>\n');
        assert.equal(page.headers['content-type'], 'text/html');
      } finally {
        await forward.process.stop();
      }
    }
    // Nothing listens on 81: the kubelet's error comes back on the error stream; kubectl logs it (klog quotes it) and gives up.
    const refused = await portForward(kubectl, 'pod/plain', 81);
    await assert.rejects(fetchPage(refused.local, '/'));
    assert.equal(await refused.process.exited, 1);
    assert.match(refused.process.stderr, /an error occurred forwarding \d+ -> 81: error forwarding port 81 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace \\"[^"\\]+\\": failed to connect to localhost:81 inside namespace \\"[0-9a-f]{64}\\", IPv4: dial tcp4 127\.0\.0\.1:81: connect: connection refused IPv6 dial tcp6 \[::1\]:81: connect: connection refused/);
    assert.match(refused.process.stderr, /error: lost connection to pod\n$/);
  });

  it('kubectl v1.32 (version skew): exec, cp, port-forward, attach and debug node over the same protocols', async (t) => {
    const binary = olderKubectl();
    if (!binary) { t.skip('kubectl v1.32 is not installed at /usr/bin/kubectl'); return; }
    const old = new Kubectl(await server.kubeconfig(), binary);
    assert.equal(await old.ok(['exec', 'web', '--', 'sh', '-c', 'echo $MODE']), 'prod\n');
    const failed = await old.run(['exec', 'web', '--', 'sh', '-c', 'exit 3']);
    assert.equal(failed.code, 3, failed.stderr);
    assert.match(failed.stderr, /command terminated with exit code 3/);
    const local = mkdtempSync(join(tmpdir(), 'kubectl-cp-'));
    writeFileSync(join(local, 'note'), 'from v1.32\n');
    await old.ok(['cp', join(local, 'note'), 'web:/tmp/note']);
    await old.ok(['cp', 'web:/tmp/note', join(local, 'back')]);
    assert.equal(readFileSync(join(local, 'back'), 'utf8'), 'from v1.32\n');
    const forward = await portForward(old, 'pod/plain', 80);
    try {
      assert.match((await fetchPage(forward.local, '/')).body, /<h1>Welcome to nginx!<\/h1>/);
    } finally {
      await forward.process.stop();
    }
    const attached = new KubectlProcess(old, ['attach', 'ticker']);
    try {
      await attached.waitFor(/tick\n/);
    } finally {
      await attached.stop();
    }
    // The node shell too: the static pods' flags, as the seed course reads them.
    const shell = await old.run(['debug', 'node/controlplane', '-i', '--image=busybox'], { input: 'grep etcd-servers /host/etc/kubernetes/manifests/kube-apiserver.yaml\nexit\n' });
    assert.equal(shell.code, 0, shell.stderr);
    assert.match(shell.stdout, /^    - --etcd-servers=https:\/\/127\.0\.0\.1:2379$/m);
  });
});
}
