import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { Kubectl } from '../../harness/kubectl.ts';

/** What a scenario needs of a running entry (Node or Worker). */
export interface Entry {
  token(cluster?: string, options?: { exp?: number; sub?: string }): Promise<string>;
  kubeconfig(cluster?: string, token?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * What a scenario's tests share: an entry opened before them (a fresh cluster) and a kubectl
 * for it, handed to `opened`, and closed after them.
 */
export function openScenario(open: () => Promise<Entry>, opened: (session: { server: Entry; kubectl: Kubectl }) => void): void {
  let server: Entry | undefined;
  before(async () => {
    server = await open();
    opened({ server, kubectl: new Kubectl(await server.kubeconfig()) });
  });
  after(() => server?.close());
}

/** The core issue's acceptance, judged by the real kubectl v1.35, on any entry. */
export function coreScenario(label: string, open: () => Promise<Entry>) {
describe(`kubectl against the core API server (${label})`, () => {
  let server: Entry, kubectl: Kubectl;
  openScenario(open, (opened) => ({ server, kubectl } = opened));

  it('get nodes lists controlplane and node01 as Ready with roles and a version', async () => {
    const out = await kubectl.ok(['get', 'nodes']);
    const lines = out.trim().split('\n');
    assert.match(lines[0], /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
    assert.match(out, /^controlplane\s+Ready\s+control-plane\s+\d+s\s+v1\.35\.0$/m);
    assert.match(out, /^node01\s+Ready\s+<none>\s+\d+s\s+v1\.35\.0$/m);
  });

  it('run creates a Pending pod with server-set metadata and defaults', async () => {
    // No node carries the label it asks for, so the pod stays Pending where a scheduler runs (the
    // Worker's does) however long kubectl takes to look, and is Pending as created everywhere else.
    assert.equal((await kubectl.ok(['run', 'nginx', '--image=nginx', '--overrides={"spec":{"nodeSelector":{"example.com/no-such-node":"true"}}}'])).trim(), 'pod/nginx created');
    assert.match(await kubectl.ok(['get', 'pods']), /^nginx\s+0\/1\s+Pending\s+0\s+\d+s$/m);
    const pod = parse(await kubectl.ok(['get', 'pod', 'nginx', '-o', 'yaml']));
    assert.match(pod.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(pod.metadata.resourceVersion, /^\d+$/);
    assert.ok(Date.parse(pod.metadata.creationTimestamp));
    assert.equal(pod.metadata.generation, 1);
    assert.equal(pod.spec.restartPolicy, 'Always');
    assert.equal(pod.spec.dnsPolicy, 'ClusterFirst');
    assert.equal(pod.spec.schedulerName, 'default-scheduler');
    assert.equal(pod.spec.terminationGracePeriodSeconds, 30);
    assert.equal(pod.spec.containers[0].imagePullPolicy, 'Always');
    assert.equal(pod.status.phase, 'Pending');
    assert.equal(pod.status.qosClass, 'BestEffort');
    const describe = await kubectl.ok(['describe', 'pod', 'nginx']);
    assert.match(describe, /^Name:\s+nginx$/m);
    assert.match(describe, /^QoS Class:\s+BestEffort$/m);
  });

  it('get -o wide adds IP, NODE, NOMINATED NODE and READINESS GATES', async () => {
    const out = await kubectl.ok(['get', 'pods', '-o', 'wide']);
    assert.match(out.split('\n')[0], /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
  });

  it('apply --validate=false creates from YAML; a missing image is Invalid, a missing pod NotFound', async () => {
    const yaml = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-yaml\n  labels:\n    app: demo\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\n    ports:\n    - containerPort: 80\n';
    assert.equal((await kubectl.ok(['apply', '--validate=false', '-f', '-'], { input: yaml })).trim(), 'pod/from-yaml created');
    const got = parse(await kubectl.ok(['get', 'pod', 'from-yaml', '-o', 'yaml']));
    assert.equal(got.spec.containers[0].imagePullPolicy, 'IfNotPresent');
    assert.equal(got.spec.containers[0].ports[0].protocol, 'TCP');

    const noImage = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: broken\nspec:\n  containers:\n  - name: web\n';
    const invalid = await kubectl.run(['apply', '--validate=false', '-f', '-'], { input: noImage });
    assert.notEqual(invalid.code, 0);
    assert.match(invalid.stderr, /The Pod "broken" is invalid: spec\.containers\[0\]\.image: Required value/);

    const missing = await kubectl.run(['get', 'pod', 'nope']);
    assert.notEqual(missing.code, 0);
    assert.equal(missing.stderr.trim(), 'Error from server (NotFound): pods "nope" not found');
  });

  it('delete returns promptly and the pod is gone', async () => {
    const out = await kubectl.ok(['delete', 'pod', 'nginx']);
    assert.match(out, /pod "nginx" deleted/);
    const gone = await kubectl.run(['get', 'pod', 'nginx']);
    assert.match(gone.stderr, /pods "nginx" not found/);
  });

  it('namespaces, kube-system and api-resources', async () => {
    const ns = await kubectl.ok(['get', 'ns']);
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.match(ns, new RegExp(`^${name}\\s+Active\\s+`, 'm'));
    const services = await kubectl.ok(['get', 'svc', '-n', 'kube-system']);
    assert.match(services, /^kube-dns\s+ClusterIP\s+10\.96\.0\.10\s+<none>\s+53\/UDP,53\/TCP,9153\/TCP\s+/m);
    const resources = await kubectl.ok(['api-resources']);
    assert.match(resources, /^pods\s+po\s+v1\s+true\s+Pod$/m);
    assert.match(resources, /^nodes\s+no\s+v1\s+false\s+Node$/m);
    assert.match(resources, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
  });

  it('a replace that changes nothing writes nothing: the resourceVersion stays, as kube-apiserver keeps it', async () => {
    await kubectl.ok(['create', 'configmap', 'unchanged', '--from-literal=a=b']);
    const read = await kubectl.ok(['get', 'configmap', 'unchanged', '-o', 'yaml']);
    const before = await kubectl.ok(['get', 'configmap', 'unchanged', '-o', 'jsonpath={.metadata.resourceVersion}']);
    assert.equal((await kubectl.ok(['replace', '-f', '-'], { input: read })).trim(), 'configmap/unchanged replaced');
    assert.equal(await kubectl.ok(['get', 'configmap', 'unchanged', '-o', 'jsonpath={.metadata.resourceVersion}']), before);
    // A change is still a write.
    await kubectl.ok(['replace', '-f', '-'], { input: read.replace('a: b', 'a: c') });
    assert.notEqual(await kubectl.ok(['get', 'configmap', 'unchanged', '-o', 'jsonpath={.metadata.resourceVersion}']), before);
  });

  it('creating into a missing namespace fails as in Kubernetes', async () => {
    const result = await kubectl.run(['run', 'x', '--image=nginx', '-n', 'nowhere']);
    assert.equal(result.stderr.trim(), 'Error from server (NotFound): namespaces "nowhere" not found');
  });

  it('a wrong or expired token is asked to log in', async () => {
    const wrong = new Kubectl(await server.kubeconfig('default', 'not-a-jwt'));
    const result = await wrong.run(['get', 'pods']);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /error: You must be logged in to the server \(the server has asked for the client to provide credentials\)/);
    const expired = new Kubectl(await server.kubeconfig('default', await server.token('default', { exp: Math.floor(Date.now() / 1000) - 60 })));
    assert.match((await expired.run(['get', 'nodes'])).stderr, /You must be logged in to the server/);
  });
});
}
