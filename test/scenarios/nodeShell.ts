import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { Kubectl } from '../../harness/kubectl.ts';
import { call } from '../../src/client/https.ts';
import { eventually } from '../helpers/eventually.ts';
import type { ExecEntry } from './exec.ts';

/**
 * The node shell (issue 15 point 4), judged by the real kubectl v1.35: `kubectl debug node/…`
 * makes kubectl's debug pod with the node's root at /host; the shell reads the node's files
 * (static pod manifests, kubeconfigs, the CA and the apiserver's certificate, the kubelet's config), `chroot /host` reaches the
 * node's systemctl and crictl, a manifest edited there gives a new mirror pod, and the pod ends
 * Completed once its shell exits. kubectl processes: 3. State is awaited through the API.
 */

interface Doc { clusters: Array<{ cluster: { server: string } }>; users: Array<{ user: { token: string } }> }
interface PodLike { metadata: { uid: string }; spec: { containers: Array<{ command?: string[] }> }; status?: { phase?: string; containerStatuses?: Array<{ state: { running?: unknown } }> } }

/** GETs through the cluster's API with the kubeconfig's server and token (no kubectl). */
function apiOf(kubeconfig: string) {
  const doc = parse(kubeconfig) as Doc;
  const base = doc.clusters[0].cluster.server.replace(/\/$/, '');
  const token = doc.users[0].user.token;
  return async <T>(path: string): Promise<T> => {
    const answer = await call(base + path, { method: 'GET', insecure: true, timeoutMs: 30_000, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    return JSON.parse(answer.body) as T;
  };
}

export function nodeShellScenario(label: string, open: () => Promise<ExecEntry>) {
describe(`kubectl debug node/… (${label})`, () => {
  let server: ExecEntry;
  let kubectl: Kubectl;
  let get: <T>(path: string) => Promise<T>;
  before(async () => {
    server = await open();
    const kubeconfig = await server.kubeconfig();
    kubectl = new Kubectl(kubeconfig);
    get = apiOf(kubeconfig);
  });
  after(() => server.close());

  it('a shell on the control-plane node: its files at /host, chroot /host, systemctl, crictl; an edited manifest makes a new mirror pod; the pod ends Completed', async () => {
    const scheduler = '/api/v1/namespaces/kube-system/pods/kube-scheduler-controlplane';
    const before = await get<PodLike>(scheduler);
    const lines = [
      'ls /host/etc/kubernetes/manifests',
      'grep staticPodPath /host/var/lib/kubelet/config.yaml',
      'head -1 /host/etc/kubernetes/pki/ca.crt',
      'cat /host/etc/kubernetes/pki/apiserver.crt',
      'grep -c server: /host/etc/kubernetes/admin.conf',
      'systemctl status kubelet',
      'chroot /host',
      'systemctl status kubelet | head -5',
      'crictl ps --name kube-scheduler',
      "sed -i 's/--leader-elect=true/--leader-elect=false/' /etc/kubernetes/manifests/kube-scheduler.yaml",
      'exit',
      'exit',
    ];
    const shell = await kubectl.run(['debug', 'node/controlplane', '-i', '--image=busybox', '--profile=general'], { input: `${lines.join('\n')}\n` });
    assert.equal(shell.code, 0, shell.stderr);
    const out = shell.stdout;
    assert.match(out, /^Creating debugging pod node-debugger-controlplane-\w{5} with container debugger on node controlplane\.$/m);
    assert.match(out, /^etcd\.yaml\nkube-apiserver\.yaml\nkube-controller-manager\.yaml\nkube-scheduler\.yaml$/m);
    assert.match(out, /^staticPodPath: \/etc\/kubernetes\/manifests$/m);
    assert.match(out, /^-----BEGIN CERTIFICATE-----$/m);
    // The apiserver's serving certificate, from the cluster's CA, is what openssl shows once copied out.
    const pem = /-----BEGIN CERTIFICATE-----\n[^-]+\n-----END CERTIFICATE-----\n/g;
    const served = [...out.matchAll(pem)].map((m) => m[0]).find((c) => c.length > 400);
    assert.ok(served, out);
    const text = execFileSync('/usr/bin/openssl', ['x509', '-noout', '-subject', '-issuer', '-ext', 'subjectAltName'], { input: served }).toString();
    assert.match(text, /^subject=CN ?= ?kube-apiserver$/m);
    assert.match(text, /^issuer=CN ?= ?kubernetes$/m);
    assert.match(text, /DNS:kubernetes, DNS:kubernetes\.default, DNS:kubernetes\.default\.svc, DNS:kubernetes\.default\.svc\.cluster\.local, DNS:controlplane, IP Address:10\.96\.0\.1, IP Address:192\.168\.0\.10/);
    assert.match(out, /^1$/m);
    // busybox has no systemctl: only the node's root does.
    assert.match(shell.stderr + out, /sh: systemctl: not found/);
    assert.match(out, /^● kubelet\.service - kubelet: The Kubernetes Node Agent\n {5}Loaded: loaded \(\/usr\/lib\/systemd\/system\/kubelet\.service; enabled; preset: enabled\)\n {4}Drop-In: \/usr\/lib\/systemd\/system\/kubelet\.service\.d\n {13}└─10-kubeadm\.conf\n {5}Active: active \(running\) since \w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; .+ ago$/m);
    assert.match(out, /^CONTAINER\s+IMAGE\s+CREATED\s+STATE\s+NAME\s+ATTEMPT\s+POD ID\s+POD\s+NAMESPACE\n[0-9a-f]{13}\s+[0-9a-f]{13}\s+.+ ago\s+Running\s+kube-scheduler\s+0\s+[0-9a-f]{13}\s+kube-scheduler-controlplane\s+kube-system$/m);
    const debugPod = /node-debugger-controlplane-\w{5}/.exec(out)![0];

    // The kubelet read the edited manifest: a new mirror pod with the new flag; the old one is gone.
    // Between the old mirror pod's deletion and the new one's creation the GET answers a NotFound Status (no spec): wait on.
    await eventually(() => get<PodLike>(scheduler), (p) => p.metadata.uid !== before.metadata.uid && !!p.spec?.containers?.[0]?.command?.includes('--leader-elect=false') && !!p.status?.containerStatuses?.[0]?.state.running, 'a new kube-scheduler mirror pod, running', 60_000);
    // Its shell exited: the debug pod is Completed, as kubectl's debug pods end.
    await eventually(() => get<PodLike>(`/api/v1/namespaces/default/pods/${debugPod}`), (p) => p.status?.phase === 'Succeeded', `${debugPod} Succeeded`, 60_000);
    assert.match(await kubectl.ok(['get', 'pod', debugPod]), new RegExp(`^${debugPod}\\s+0/1\\s+Completed\\s+0\\s`, 'm'));

    // Another node, another filesystem: node01's kubelet.conf names the API server; the edit on controlplane persists there only.
    const other = await kubectl.run(['debug', 'node/node01', '-i', '--image=busybox', '--profile=general', '--', 'sh', '-c', 'grep server: /host/etc/kubernetes/kubelet.conf; ls /host/etc/kubernetes']);
    assert.match(other.stdout, /^ {4}server: https:\/\/192\.168\.0\.10:6443$/m, other.stderr);
    assert.match(other.stdout, /^kubelet\.conf\npki$/m, other.stdout);
  });
});
}
