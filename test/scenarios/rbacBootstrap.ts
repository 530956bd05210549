import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { Kubectl } from '../../harness/kubectl.ts';
import { eventually } from '../helpers/eventually.ts';
import { openScenario, type Entry } from './core.ts';

/**
 * The ClusterRoleBindings `kubectl get clusterrolebindings` lists on a freshly `kubeadm init`-ed
 * v1.35.0 cluster (recorded on one, CNI and lab additions left out): the golden list the
 * bootstrap policy is compared with.
 */
const kubeadm135ClusterRoleBindings = `cluster-admin kubeadm:cluster-admins kubeadm:get-nodes kubeadm:kubelet-bootstrap
kubeadm:node-autoapprove-bootstrap kubeadm:node-autoapprove-certificate-rotation kubeadm:node-proxier system:basic-user
system:controller:attachdetach-controller system:controller:certificate-controller system:controller:clusterrole-aggregation-controller
system:controller:cronjob-controller system:controller:daemon-set-controller system:controller:deployment-controller
system:controller:disruption-controller system:controller:endpoint-controller system:controller:endpointslice-controller
system:controller:endpointslicemirroring-controller system:controller:ephemeral-volume-controller system:controller:expand-controller
system:controller:generic-garbage-collector system:controller:horizontal-pod-autoscaler system:controller:job-controller
system:controller:legacy-service-account-token-cleaner system:controller:namespace-controller system:controller:node-controller
system:controller:persistent-volume-binder system:controller:pod-garbage-collector system:controller:pv-protection-controller
system:controller:pvc-protection-controller system:controller:replicaset-controller system:controller:replication-controller
system:controller:resource-claim-controller system:controller:resourcequota-controller system:controller:root-ca-cert-publisher
system:controller:route-controller system:controller:selinux-warning-controller system:controller:service-account-controller
system:controller:service-cidrs-controller system:controller:service-controller system:controller:statefulset-controller
system:controller:ttl-after-finished-controller system:controller:ttl-controller system:controller:validatingadmissionpolicy-status-controller
system:controller:volumeattributesclass-protection-controller system:coredns system:discovery system:kube-controller-manager
system:kube-dns system:kube-scheduler system:monitoring system:node system:node-proxier system:public-info-viewer
system:service-account-issuer-discovery system:volume-scheduler`.split(/\s+/);

/** `kubectl get roles -A` / `rolebindings -A` on the same cluster: NAMESPACE NAME pairs. */
const kubeadm135Roles = [
  'kube-public kubeadm:bootstrap-signer-clusterinfo', 'kube-public system:controller:bootstrap-signer',
  'kube-system extension-apiserver-authentication-reader', 'kube-system kube-proxy', 'kube-system kubeadm:kubelet-config',
  'kube-system kubeadm:nodes-kubeadm-config', 'kube-system system::leader-locking-kube-controller-manager',
  'kube-system system::leader-locking-kube-scheduler', 'kube-system system:controller:bootstrap-signer',
  'kube-system system:controller:cloud-provider', 'kube-system system:controller:token-cleaner',
];
const kubeadm135RoleBindings = kubeadm135Roles.map((r) => r.replace(' extension-apiserver-authentication-reader', ' system::extension-apiserver-authentication-reader'));

const names = (out: string, columns = 1) => out.trim().split('\n').slice(1).map((l) => l.split(/\s+/).slice(0, columns).join(' ')).sort();

interface Rule { apiGroups?: string[]; resources?: string[]; verbs?: string[] }
const hasRule = (role: { rules?: Rule[] }, group: string, resource: string, verb: string) =>
  (role.rules ?? []).some((r) => r.apiGroups?.includes(group) && r.resources?.includes(resource) && r.verbs?.includes(verb));

/** A new cluster's RBAC objects as kubeadm v1.35 leaves them, and ClusterRole aggregation, judged by the real kubectl. */
export function rbacBootstrapScenario(label: string, open: () => Promise<Entry>) {
describe(`bootstrap RBAC policy and ClusterRole aggregation (${label})`, () => {
  let server: Entry, kubectl: Kubectl;
  openScenario(open, (opened) => ({ server, kubectl } = opened));

  it('get clusterrolebindings, roles -A and rolebindings -A list what kubeadm v1.35 has', async () => {
    assert.deepEqual(names(await kubectl.ok(['get', 'clusterrolebindings'])), [...kubeadm135ClusterRoleBindings].sort());
    assert.deepEqual(names(await kubectl.ok(['get', 'roles', '-A']), 2), [...kubeadm135Roles].sort());
    assert.deepEqual(names(await kubectl.ok(['get', 'rolebindings', '-A']), 2), [...kubeadm135RoleBindings].sort());
    const wide = await kubectl.ok(['get', 'clusterrolebinding', 'kubeadm:cluster-admins', 'cluster-admin', '-o', 'wide']);
    assert.match(wide, /^kubeadm:cluster-admins\s+ClusterRole\/cluster-admin\s+\d+s\s+kubeadm:cluster-admins\s*$/m);
    assert.match(wide, /^cluster-admin\s+ClusterRole\/cluster-admin\s+\d+s\s+system:masters\s*$/m);
  });

  it('get clusterroles lists the bootstrap roles with their labels and autoupdate annotation', async () => {
    const listed = names(await kubectl.ok(['get', 'clusterroles']));
    for (const role of ['admin', 'cluster-admin', 'edit', 'view', 'system:aggregate-to-view', 'system:basic-user', 'system:discovery',
      'system:public-info-viewer', 'system:node', 'system:kube-scheduler', 'kubeadm:get-nodes', 'system:coredns', 'system:controller:job-controller']) {
      assert.ok(listed.includes(role), `${role} in ${listed.join(' ')}`);
    }
    // Every controller binding has its role.
    for (const b of kubeadm135ClusterRoleBindings.filter((n) => n.startsWith('system:controller:'))) assert.ok(listed.includes(b), b);
    const basic = parse(await kubectl.ok(['get', 'clusterrole', 'system:basic-user', '-o', 'yaml']));
    assert.equal(basic.metadata.labels['kubernetes.io/bootstrapping'], 'rbac-defaults');
    assert.equal(basic.metadata.annotations['rbac.authorization.kubernetes.io/autoupdate'], 'true');
    assert.ok(hasRule(basic, 'authorization.k8s.io', 'selfsubjectaccessreviews', 'create'));
  });

  it('view, edit and admin carry their aggregated rules (get -o yaml, describe)', async () => {
    const admin = parse(await kubectl.ok(['get', 'clusterrole', 'admin', '-o', 'yaml']));
    assert.deepEqual(admin.aggregationRule.clusterRoleSelectors, [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' } }]);
    assert.ok(hasRule(admin, 'rbac.authorization.k8s.io', 'rolebindings', 'create'), 'from system:aggregate-to-admin');
    assert.ok(hasRule(admin, 'apps', 'deployments', 'create'), 'from edit');
    assert.ok(hasRule(admin, '', 'pods', 'list'), 'from view, through edit');
    const described = await kubectl.ok(['describe', 'clusterrole', 'view']);
    assert.match(described, /^Name:\s+view$/m);
    assert.match(described, /^\s+deployments\.apps\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    assert.match(described, /^\s+pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
  });

  it('a labelled ClusterRole applied by a student aggregates into view, edit and admin, and leaves with its deletion', async () => {
    const manifest = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: crontab-reader
  labels:
    rbac.authorization.k8s.io/aggregate-to-view: "true"
rules:
- apiGroups: ["stable.example.com"]
  resources: ["crontabs"]
  verbs: ["get", "list", "watch"]
`;
    assert.equal((await kubectl.ok(['apply', '-f', '-'], { input: manifest })).trim(), 'clusterrole.rbac.authorization.k8s.io/crontab-reader created');
    const role = async (name: string) => parse(await kubectl.ok(['get', 'clusterrole', name, '-o', 'yaml']));
    for (const name of ['view', 'edit', 'admin']) {
      await eventually(() => role(name), (r) => hasRule(r, 'stable.example.com', 'crontabs', 'list'), `crontabs in ${name}`);
    }
    assert.match(await kubectl.ok(['describe', 'clusterrole', 'view']), /^\s+crontabs\.stable\.example\.com\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    await kubectl.ok(['delete', 'clusterrole', 'crontab-reader']);
    for (const name of ['view', 'edit', 'admin']) {
      await eventually(() => role(name), (r) => !hasRule(r, 'stable.example.com', 'crontabs', 'list'), `no crontabs in ${name}`);
    }
    assert.ok(hasRule(await role('view'), '', 'pods', 'list'), 'view keeps its own rules');
  });
});
}
