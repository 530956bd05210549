import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { Kubectl } from '../../harness/kubectl.ts';
import { eventually } from '../helpers/eventually.ts';
import { runCli } from './tenancy.ts';

/** What the certificate scenarios need of a running entry (Node or Worker). */
export interface CertificatesEntry {
  /** The server's root (the admin API), and its admin token. */
  url: string;
  adminToken: string;
  /** The cluster under test, by the name the admin API knows it. */
  cluster: string;
  kubeconfig(): Promise<string>;
  close(): Promise<void>;
}

const openssl = '/usr/bin/openssl';

/** `openssl genrsa` + `openssl req`, as the CKA exercise types them; the CSR object for it. */
function keyAndRequest(dir: string, user: string, subject: string, extra = '') {
  execFileSync(openssl, ['genrsa', '-out', join(dir, `${user}.key`), '2048'], { stdio: 'pipe' });
  execFileSync(openssl, ['req', '-new', '-key', join(dir, `${user}.key`), '-out', join(dir, `${user}.csr`), '-subj', subject], { stdio: 'pipe' });
  const request = readFileSync(join(dir, `${user}.csr`)).toString('base64');
  return `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata:
  name: ${user}
spec:
  request: ${request}
  signerName: kubernetes.io/kube-apiserver-client
  expirationSeconds: 86400
  usages:
  - client auth
${extra}`;
}

const conditionOf = (kubectl: Kubectl, name: string) => async () => (await kubectl.ok(['get', 'csr', name])).split('\n')[1] ?? '';

interface Opened { entry: CertificatesEntry; kubectl: Kubectl; dir: string }

/** The entry, the admin's kubectl and a folder for keys, for one describe; then the CSR lifecycle, which every entry passes. */
function openEntry(open: () => Promise<CertificatesEntry>): Opened {
  const state = { dir: mkdtempSync(join(tmpdir(), 'csr-')) } as Opened;
  before(async () => {
    state.entry = await open();
    state.kubectl = new Kubectl(await state.entry.kubeconfig());
  });
  after(() => state.entry.close());
  csrLifecycle(() => state);
  return state;
}

/** A kubeconfig user and context `user` that log in with `<dir>/<user>.crt` and its key (kubectl config set-credentials --embed-certs). */
async function useCertificate({ kubectl, dir }: Opened, user: string): Promise<void> {
  const cluster = parse(readFileSync(kubectl.kubeconfigPath, 'utf8')).clusters[0].name;
  await kubectl.ok(['config', 'set-credentials', user, `--client-certificate=${join(dir, `${user}.crt`)}`, `--client-key=${join(dir, `${user}.key`)}`, '--embed-certs']);
  await kubectl.ok(['config', 'set-context', user, `--cluster=${cluster}`, `--user=${user}`]);
}

/** Create → Pending → approve → Approved,Issued, and deny → Denied, judged by kubectl; shared by both entries. */
function csrLifecycle(ctx: () => { kubectl: Kubectl; dir: string }) {
  it('kubectl apply makes a Pending CSR requested by the caller, printed with kube\'s columns', async () => {
    const { kubectl, dir } = ctx();
    assert.equal((await kubectl.ok(['apply', '-f', '-'], { input: keyAndRequest(dir, 'jane', '/CN=jane/O=dev') })).trim(), 'certificatesigningrequest.certificates.k8s.io/jane created');
    const out = await kubectl.ok(['get', 'csr']);
    assert.match(out, /^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION$/m);
    assert.match(out, /^jane\s+\d+s\s+kubernetes\.io\/kube-apiserver-client\s+kubernetes-admin\s+24h\s+Pending$/m);
    const csr = parse(await kubectl.ok(['get', 'csr', 'jane', '-o', 'yaml']));
    assert.equal(csr.spec.username, 'kubernetes-admin');
    assert.deepEqual(csr.spec.groups, ['system:masters', 'system:authenticated']);
  });

  it('kubectl certificate approve: Approved, then Issued by the cluster CA with the CSR\'s subject', async () => {
    const { kubectl, dir } = ctx();
    assert.equal((await kubectl.ok(['certificate', 'approve', 'jane'])).trim(), 'certificatesigningrequest.certificates.k8s.io/jane approved');
    await eventually(conditionOf(kubectl, 'jane'), (row) => /\sApproved,Issued$/.test(row), 'jane to be issued');
    const csr = parse(await kubectl.ok(['get', 'csr', 'jane', '-o', 'yaml']));
    assert.deepEqual(csr.status.conditions.map((c: Record<string, string>) => [c.type, c.status, c.reason, c.message]),
      [['Approved', 'True', 'KubectlApprove', 'This CSR was approved by kubectl certificate approve.']]);
    writeFileSync(join(dir, 'jane.crt'), Buffer.from(csr.status.certificate, 'base64'));
    const ca = await kubectl.ok(['get', 'configmap', 'kube-root-ca.crt', '-n', 'default', '-o', 'jsonpath={.data.ca\\.crt}']);
    writeFileSync(join(dir, 'ca.crt'), ca);
    assert.match(execFileSync(openssl, ['x509', '-in', join(dir, 'jane.crt'), '-noout', '-subject']).toString(), /^subject=CN\s*=\s*jane, O\s*=\s*dev$/m);
    assert.match(execFileSync(openssl, ['verify', '-CAfile', join(dir, 'ca.crt'), '-purpose', 'sslclient', join(dir, 'jane.crt')]).toString(), /: OK$/m);
    // Approving twice changes nothing; denying an approved request is refused by kubectl itself.
    assert.equal((await kubectl.ok(['certificate', 'approve', 'jane'])).trim(), 'certificatesigningrequest.certificates.k8s.io/jane approved');
    const deny = await kubectl.run(['certificate', 'deny', 'jane']);
    assert.equal(deny.stderr.trim(), 'error: certificate signing request "jane" is already Approved');
  });

  it('kubectl certificate deny: Denied, never issued', async () => {
    const { kubectl, dir } = ctx();
    await kubectl.ok(['apply', '-f', '-'], { input: keyAndRequest(dir, 'mallory', '/CN=mallory') });
    assert.equal((await kubectl.ok(['certificate', 'deny', 'mallory'])).trim(), 'certificatesigningrequest.certificates.k8s.io/mallory denied');
    assert.match(await conditionOf(kubectl, 'mallory')(), /\sDenied$/);
    const csr = parse(await kubectl.ok(['get', 'csr', 'mallory', '-o', 'yaml']));
    assert.equal(csr.status.conditions[0].reason, 'KubectlDeny');
    assert.equal(csr.status.certificate, undefined);
  });

  it('refuses what kube-apiserver refuses: a bad request, missing usages, system:masters from this signer', async () => {
    const { kubectl, dir } = ctx();
    const bad = await kubectl.run(['create', '-f', '-'], { input: keyAndRequest(dir, 'bad', '/CN=bad').replace(/request: .*/, 'request: aGVsbG8=').replace(/ {2}usages:\n {2}- client auth\n/, '') });
    assert.equal(bad.stderr.trim(), 'The CertificateSigningRequest "bad" is invalid: \n* spec.request: Invalid value: []byte{0x68, 0x65, 0x6c, 0x6c, 0x6f}: PEM block type must be CERTIFICATE REQUEST\n* spec.usages: Required value');
    const masters = await kubectl.run(['create', '-f', '-'], { input: keyAndRequest(dir, 'root', '/CN=root/O=system:masters') });
    assert.equal(masters.stderr.trim(), 'Error from server (Forbidden): error when creating "STDIN": certificatesigningrequests.certificates.k8s.io "root" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed');
  });
}

/** The classic CKA exercise and the teacher's users, on the Node entry (which can ask for client certificates). */
export function certificateUsersScenario(label: string, open: () => Promise<CertificatesEntry>) {
  describe(`users from certificates, end to end (${label})`, () => {
    const state = openEntry(open);

    it('jane\'s certificate logs her in: forbidden with kube\'s words until a RoleBinding exists, then allowed', async () => {
      const { kubectl } = state;
      await useCertificate(state, 'jane');
      const denied = await kubectl.run(['--context', 'jane', 'get', 'pods']);
      assert.equal(denied.stderr.trim(), 'Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"');
      await kubectl.ok(['create', 'role', 'pod-reader', '--verb=get,list,watch', '--resource=pods']);
      await kubectl.ok(['create', 'rolebinding', 'jane-reads-pods', '--role=pod-reader', '--user=jane']);
      await eventually(() => kubectl.run(['--context', 'jane', 'get', 'pods']), (r) => r.code === 0, 'jane to list pods');
      assert.equal((await kubectl.run(['--context', 'jane', 'auth', 'can-i', 'list', 'pods'])).stdout.trim(), 'yes');
      assert.equal((await kubectl.run(['--context', 'jane', 'auth', 'can-i', 'delete', 'pods'])).stdout.trim(), 'no');
      const deleting = await kubectl.run(['--context', 'jane', 'delete', 'pod', 'x']);
      assert.equal(deleting.stderr.trim(), 'Error from server (Forbidden): pods "x" is forbidden: User "jane" cannot delete resource "pods" in API group "" in the namespace "default"');
    });

    it('a certificate from another CA (or none, and no token) is not a login', async () => {
      const { kubectl, dir } = state;
      execFileSync(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'eve.key'), '-out', join(dir, 'eve.crt'), '-subj', '/CN=eve/O=system:masters', '-days', '1'], { stdio: 'pipe' });
      await useCertificate(state, 'eve');
      const refused = await kubectl.run(['--context', 'eve', 'get', 'pods']);
      assert.equal(refused.stderr.trim(), 'error: You must be logged in to the server (Unauthorized)');
    });

    it('apiserverless user create: a kubeconfig for a non-admin user, with edit in their own namespace only', async () => {
      const { entry, kubectl } = state;
      const config = await runCli(entry, ['user', 'create', entry.cluster, 'sam', '--group', 'students', '--namespace', 'sam']);
      const student = new Kubectl(config);
      assert.equal(parse(config)['current-context'], `sam@${entry.cluster}`);
      assert.equal(parse(config).contexts[0].context.namespace, 'sam');
      const rolebinding = parse(await kubectl.ok(['get', 'rolebinding', 'sam-edit', '-n', 'sam', '-o', 'yaml']));
      assert.deepEqual([rolebinding.roleRef.kind, rolebinding.roleRef.name, rolebinding.subjects[0].kind, rolebinding.subjects[0].name], ['ClusterRole', 'edit', 'User', 'sam']);
      const outside = await student.run(['get', 'pods', '-n', 'default']);
      assert.equal(outside.stderr.trim(), 'Error from server (Forbidden): pods is forbidden: User "sam" cannot list resource "pods" in API group "" in the namespace "default"');
      assert.equal((await student.ok(['run', 'web', '--image=nginx'])).trim(), 'pod/web created');
      assert.match(await student.ok(['get', 'pods']), /^web\s/m);
      assert.equal(parse(await student.ok(['get', 'pod', 'web', '-o', 'yaml'])).metadata.namespace, 'sam');
      assert.equal((await student.run(['auth', 'can-i', 'create', 'deployments'])).stdout.trim(), 'yes');
      assert.equal((await student.run(['auth', 'can-i', 'create', 'rolebindings'])).stdout.trim(), 'no');
      // A second student in the same cluster gets a namespace of their own.
      const other = new Kubectl(await runCli(entry, ['user', 'create', entry.cluster, 'kim', '--namespace', 'kim']));
      assert.match((await other.run(['get', 'pods', '-n', 'sam'])).stderr, /User "kim" cannot list resource "pods" in API group "" in the namespace "sam"/);
    });
  });
}

/** CSRs on an entry that cannot ask for client certificates (the Worker): issued all the same, and a certificate-only kubeconfig is told why it is refused. */
export function certificatesWithoutClientAuthScenario(label: string, open: () => Promise<CertificatesEntry>) {
  describe(`certificate signing requests (${label})`, () => {
    const state = openEntry(open);

    it('a kubeconfig with only a client certificate gets a 401 that says this entry does not take them', async () => {
      await useCertificate(state, 'jane');
      const refused = await state.kubectl.run(['--context', 'jane', 'get', 'pods']);
      assert.match(refused.stderr, /client certificates are not accepted by this entry \(its platform cannot ask for them\): use a kubeconfig with a token/);
    });
  });
}
