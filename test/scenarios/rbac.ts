import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { Kubectl, olderKubectl } from '../../harness/kubectl.ts';
import { eventuallyPasses } from '../helpers/eventually.ts';

/** What the RBAC scenario needs of a running entry (Node or Worker). */
export interface RbacEntry {
  token(cluster?: string, options?: { sub?: string; groups?: string[] }): Promise<string>;
  kubeconfig(cluster?: string, token?: string): Promise<string>;
  close(): Promise<void>;
}

const ns = 'rbac-lab';
const sa = `system:serviceaccount:${ns}:dev-sa`;

/** The role of the CKA exercise: read pods and their logs, create Deployments, update one ConfigMap. */
const devRole = `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: dev, namespace: ${ns}}
rules:
- apiGroups: [""]
  resources: [pods, pods/log]
  verbs: [get, list, watch]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [create]
- apiGroups: [""]
  resources: [configmaps]
  resourceNames: [app-config]
  verbs: [update]
`;

/** `kubectl auth can-i` questions and the answers the role gives (yes: exit 0, no: exit 1). */
const questions: Array<[args: string[], answer: 'yes' | 'no']> = [
  [['get', 'pods'], 'yes'],
  [['list', 'pods'], 'yes'],
  [['watch', 'pods'], 'yes'],
  [['get', 'pods', '--subresource=log'], 'yes'],
  [['delete', 'pods'], 'no'],
  [['create', 'pods'], 'no'],
  [['create', 'deployments.apps'], 'yes'],
  [['delete', 'deployments.apps'], 'no'],
  [['update', 'configmaps/app-config'], 'yes'],
  [['update', 'configmaps/other'], 'no'],
  [['list', 'secrets'], 'no'],
  [['get', 'pods', '-n', 'kube-system'], 'no'],
];

/** The question asked in the lab's namespace unless it names its own. */
const inNamespace = (args: string[]) => (args.includes('-n') ? args : [...args, '-n', ns]);

/** Issue 12's acceptance, judged by the real kubectl v1.35 (and v1.32 where the machine has it), on any entry. */
export function rbacScenario(label: string, open: () => Promise<RbacEntry>) {
  describe(`RBAC, enforced (${label})`, () => {
    let server: RbacEntry;
    let admin: Kubectl;
    let saToken: string;
    let asSa: Kubectl;

    before(async () => {
      server = await open();
      admin = new Kubectl(await server.kubeconfig());
      await admin.ok(['create', 'namespace', ns]);
      await admin.ok(['create', 'serviceaccount', 'dev-sa', '-n', ns]);
      await admin.ok(['apply', '-f', '-'], { input: devRole });
      await admin.ok(['create', 'rolebinding', 'dev-binding', '--role=dev', `--serviceaccount=${ns}:dev-sa`, '-n', ns]);
      saToken = (await admin.ok(['create', 'token', 'dev-sa', '-n', ns])).trim();
      asSa = new Kubectl(await server.kubeconfig(undefined, saToken));
    });
    after(() => server.close());

    it('the admin kubeconfig is system:masters and may do anything', async () => {
      const whoami = await admin.ok(['auth', 'whoami']);
      assert.match(whoami, /^Username\s+kubernetes-admin$/m);
      assert.match(whoami, /^Groups\s+\[system:masters system:authenticated\]$/m);
      assert.equal((await admin.run(['auth', 'can-i', '*', '*'])).stdout.trim(), 'yes');
    });

    it('can-i --as answers exactly per the role', async () => {
      for (const [args, answer] of questions) {
        const result = await admin.run(['auth', 'can-i', ...inNamespace(args), `--as=${sa}`]);
        assert.equal(result.stdout.trim(), answer, `can-i ${args.join(' ')} --as ${sa}`);
        assert.equal(result.code, answer === 'yes' ? 0 : 1);
      }
    });

    it('a token from kubectl create token gets the same answers, used directly', async () => {
      for (const [args, answer] of questions) {
        const result = await asSa.run(['auth', 'can-i', ...inNamespace(args)]);
        assert.equal(result.stdout.trim(), answer, `can-i ${args.join(' ')} with the service account's token`);
      }
    });

    it('can-i --list shows the rules that apply, whoami the service account', async () => {
      const list = await admin.ok(['auth', 'can-i', '--list', `--as=${sa}`, '-n', ns]);
      assert.match(list, /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/m);
      assert.match(list, /^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
      assert.match(list, /^pods\/log\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
      assert.match(list, /^deployments\.apps\s+\[\]\s+\[\]\s+\[create\]$/m);
      assert.match(list, /^configmaps\s+\[\]\s+\[app-config\]\s+\[update\]$/m);
      assert.match(list, /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
      assert.match(list, /^\s+\[\/api\/\*\]\s+\[\]\s+\[get\]$/m);
      assert.doesNotMatch(list, /secrets/);

      const uid = (await admin.ok(['get', 'serviceaccount', 'dev-sa', '-n', ns, '-o', 'jsonpath={.metadata.uid}'])).trim();
      const whoami = await asSa.ok(['auth', 'whoami']);
      assert.match(whoami, new RegExp(`^Username\\s+${sa}$`, 'm'));
      assert.match(whoami, new RegExp(`^UID\\s+${uid}$`, 'm'));
      assert.match(whoami, new RegExp(`^Groups\\s+\\[system:serviceaccounts system:serviceaccounts:${ns} system:authenticated\\]$`, 'm'));
      assert.match(whoami, /^Extra: authentication\.kubernetes\.io\/credential-id\s+\[JTI=[0-9a-f-]{36}\]$/m);
    });

    it('every refusal is kube-apiserver\'s 403, word for word', async () => {
      const refusals: Array<[string[], string]> = [
        [['get', 'secrets', '-n', ns], `Error from server (Forbidden): secrets is forbidden: User "${sa}" cannot list resource "secrets" in API group "" in the namespace "${ns}"`],
        [['delete', 'pod', 'web', '-n', ns], `Error from server (Forbidden): pods "web" is forbidden: User "${sa}" cannot delete resource "pods" in API group "" in the namespace "${ns}"`],
        [['get', 'nodes'], `Error from server (Forbidden): nodes is forbidden: User "${sa}" cannot list resource "nodes" in API group "" at the cluster scope`],
        [['get', 'deployments', '-n', ns], `Error from server (Forbidden): deployments.apps is forbidden: User "${sa}" cannot list resource "deployments" in API group "apps" in the namespace "${ns}"`],
        [['get', 'pods', '--as=bob'], `Error from server (Forbidden): users "bob" is forbidden: User "${sa}" cannot impersonate resource "users" in API group "" at the cluster scope`],
      ];
      for (const [args, message] of refusals) {
        const result = await asSa.run(args);
        assert.equal(result.code, 1, `kubectl ${args.join(' ')}`);
        assert.equal(result.stderr.trim(), message);
      }
      // Allowed by the role: reads its pods.
      assert.match(await asSa.ok(['get', 'pods', '-n', ns]), /^$|No resources found/);
    });

    it('impersonation needs the impersonate verb; granted, --as works', async () => {
      await admin.ok(['create', 'clusterrole', 'impersonator', '--verb=impersonate', '--resource=users', '--resource-name=bob']);
      await admin.ok(['create', 'clusterrolebinding', 'dev-impersonates', '--clusterrole=impersonator', `--serviceaccount=${ns}:dev-sa`]);
      const whoami = await eventuallyPasses(async () => asSa.ok(['auth', 'whoami', '--as=bob']));
      assert.match(whoami, /^Username\s+bob$/m);
      assert.match(whoami, /^Groups\s+\[system:authenticated\]$/m);
      const other = await asSa.run(['get', 'pods', '-n', ns, '--as=alice']);
      assert.equal(other.stderr.trim(), `Error from server (Forbidden): users "alice" is forbidden: User "${sa}" cannot impersonate resource "users" in API group "" at the cluster scope`);
      // whoami words any refusal of its review its own way, as against kube-apiserver
      assert.equal((await asSa.run(['auth', 'whoami', '--as=alice'])).stderr.trim(), 'error: the selfsubjectreviews API is not enabled in the cluster or you do not have permission to call it');
    });

    it('a ClusterRole and ClusterRoleBinding for nodes let the service account read nodes', async () => {
      assert.equal((await admin.run(['auth', 'can-i', 'list', 'nodes', `--as=${sa}`])).stdout.trim(), 'no');
      await admin.ok(['create', 'clusterrole', 'node-reader', '--verb=get,list,watch', '--resource=nodes']);
      await admin.ok(['create', 'clusterrolebinding', 'dev-reads-nodes', '--clusterrole=node-reader', `--serviceaccount=${ns}:dev-sa`]);
      assert.equal((await admin.run(['auth', 'can-i', 'list', 'nodes', `--as=${sa}`])).stdout.trim(), 'yes');
      assert.match(await asSa.ok(['get', 'nodes']), /^controlplane\s+Ready/m);
      assert.equal((await asSa.run(['delete', 'node', 'node01'])).stderr.trim(),
        `Error from server (Forbidden): nodes "node01" is forbidden: User "${sa}" cannot delete resource "nodes" in API group "" at the cluster scope`);
    });

    it('a ClusterRole labelled aggregate-to-view adds its rules to view', async () => {
      await admin.ok(['create', 'serviceaccount', 'viewer', '-n', ns]);
      await admin.ok(['create', 'rolebinding', 'viewer-view', '--clusterrole=view', `--serviceaccount=${ns}:viewer`, '-n', ns]);
      const viewer = `system:serviceaccount:${ns}:viewer`;
      assert.equal((await admin.run(['auth', 'can-i', 'list', 'pods', `--as=${viewer}`, '-n', ns])).stdout.trim(), 'yes');
      assert.equal((await admin.run(['auth', 'can-i', 'list', 'leases.coordination.k8s.io', `--as=${viewer}`, '-n', ns])).stdout.trim(), 'no');
      await admin.ok(['apply', '-f', '-'], {
        input: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: lease-viewer
  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
rules:
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get, list, watch]
`,
      });
      await eventuallyPasses(async () => {
        const view = parse(await admin.ok(['get', 'clusterrole', 'view', '-o', 'yaml'])) as { rules: Array<{ resources?: string[] }> };
        assert.ok(view.rules.some((r) => r.resources?.includes('leases')), 'view has the aggregated rule');
        assert.equal((await admin.run(['auth', 'can-i', 'list', 'leases.coordination.k8s.io', `--as=${viewer}`, '-n', ns])).stdout.trim(), 'yes');
      });
    });

    it('a token of a deleted service account is refused (401), and a TokenReview says so', async () => {
      await admin.ok(['create', 'serviceaccount', 'short-lived', '-n', ns]);
      await admin.ok(['create', 'rolebinding', 'short-lived-view', '--clusterrole=view', `--serviceaccount=${ns}:short-lived`, '-n', ns]);
      const token = (await admin.ok(['create', 'token', 'short-lived', '-n', ns, '--duration=15m'])).trim();
      const holder = new Kubectl(await server.kubeconfig(undefined, token));
      await holder.ok(['get', 'pods', '-n', ns]);
      // A TokenReview (what another server's webhook authenticator asks) says whose the token is, while it is valid.
      const review = (t: string) => admin.ok(['create', '-o', 'json', '-f', '-'], { input: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: t } }) }).then((out) => JSON.parse(out).status);
      const valid = await review(token);
      assert.equal(valid.authenticated, true);
      assert.equal(valid.user.username, `system:serviceaccount:${ns}:short-lived`);
      assert.deepEqual(valid.user.groups, ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated']);
      assert.deepEqual(valid.audiences, ['https://kubernetes.default.svc.cluster.local']);
      assert.deepEqual(await review('not-a-token'), { user: {}, error: '[invalid bearer token, service account token has been invalidated]' });
      await admin.ok(['delete', 'serviceaccount', 'short-lived', '-n', ns]);
      assert.equal((await review(token)).authenticated, undefined, 'the deleted account\'s token no longer reviews as valid');
      const refused = await holder.run(['get', 'pods', '-n', ns]);
      assert.equal(refused.stderr.trim(), 'error: You must be logged in to the server (Unauthorized)');
      // Re-created under the same name, the account is another: the old token stays refused.
      await admin.ok(['create', 'serviceaccount', 'short-lived', '-n', ns]);
      assert.equal((await holder.run(['get', 'pods', '-n', ns])).code, 1);
      assert.equal((await admin.run(['create', 'token', 'short-lived', '-n', ns, '--duration=1m'])).stderr.trim(),
        'error: failed to create token: TokenRequest.authentication.k8s.io "short-lived" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes');
    });

    it('a user with no bindings is refused everything but discovery and self reviews', async () => {
      const jane = new Kubectl(await server.kubeconfig(undefined, await server.token(undefined, { sub: 'jane', groups: [] })));
      assert.equal((await jane.run(['get', 'pods'])).stderr.trim(),
        'Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"');
      assert.equal((await jane.run(['auth', 'can-i', 'get', 'pods'])).stdout.trim(), 'no');
      assert.match(await jane.ok(['auth', 'whoami']), /^Username\s+jane$/m);
      assert.match(await jane.ok(['api-resources', '--api-group=apps']), /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    });

    it('a namespace admin may grant only what they hold (escalation prevention)', async () => {
      await admin.ok(['create', 'namespace', 'team-a']);
      await admin.ok(['create', 'rolebinding', 'jane-admin', '--clusterrole=admin', '--user=jane', '-n', 'team-a']);
      const jane = new Kubectl(await server.kubeconfig(undefined, await server.token(undefined, { sub: 'jane', groups: [] })));
      // Held: admin covers reading secrets and pods, so jane may make such a role and bind it.
      await jane.ok(['create', 'role', 'secret-reader', '--verb=get,list', '--resource=secrets', '-n', 'team-a']);
      await jane.ok(['create', 'rolebinding', 'bob-reads', '--role=secret-reader', '--user=bob', '-n', 'team-a']);
      const role = await jane.run(['create', 'role', 'node-deleter', '--verb=delete', '--resource=nodes', '-n', 'team-a']);
      assert.equal(role.stderr.trim(), 'Error from server (Forbidden): roles.rbac.authorization.k8s.io "node-deleter" is forbidden: user "jane" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["nodes"], Verbs:["delete"]}');
      const binding = await jane.run(['create', 'rolebinding', 'jane-everything', '--clusterrole=cluster-admin', '--user=jane', '-n', 'team-a']);
      assert.equal(binding.stderr.trim(), 'error: failed to create rolebinding: rolebindings.rbac.authorization.k8s.io "jane-everything" is forbidden: user "jane" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}');
      // Outside her namespace she holds nothing.
      assert.match((await jane.run(['create', 'role', 'r', '--verb=get', '--resource=pods', '-n', 'default'])).stderr,
        /roles\.rbac\.authorization\.k8s\.io is forbidden: User "jane" cannot create resource "roles" in API group "rbac\.authorization\.k8s\.io" in the namespace "default"/);
    });

    it('kubectl v1.32 gets the same answers', async (t) => {
      const binary = olderKubectl();
      if (!binary) return t.skip('kubectl v1.32 is not installed at /usr/bin/kubectl');
      const old = new Kubectl(await server.kubeconfig(), binary);
      for (const [args, answer] of questions) {
        assert.equal((await old.run(['auth', 'can-i', ...inNamespace(args), `--as=${sa}`])).stdout.trim(), answer, `v1.32 can-i ${args.join(' ')}`);
      }
      assert.match(await old.ok(['auth', 'whoami', `--as=${sa}`]), new RegExp(`^Username\\s+${sa}$`, 'm'));
      assert.match((await old.run(['get', 'secrets', `--as=${sa}`, '-n', ns])).stderr, /secrets is forbidden: User "system:serviceaccount:rbac-lab:dev-sa" cannot list resource "secrets"/);
    });
  });
}
