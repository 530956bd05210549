import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorize, compilePolicy, forbiddenError, rulesFor } from '../src/registry/authorizer.ts';
import { PolicyCache } from '../src/registry/policyCache.ts';
import type { Binding, Role } from '../src/registry/resources/rbac.ts';
import { uncovered } from '../src/registry/resources/rbacEscalation.ts';
import type { Attributes, ClusterObjects, KubeObject, PolicyRule, ResourceDef } from '../src/registry/types.ts';
import { ManualClock } from '../src/clock.ts';

/** RBAC semantics as kube-apiserver's rbac authorizer decides them, on a compiled policy. */

const role = (name: string, rules: PolicyRule[], namespace?: string): Role => ({ metadata: { name, namespace }, rules });
const binding = (name: string, roleKind: 'Role' | 'ClusterRole', roleName: string, subjects: Binding['subjects'], namespace?: string): Binding => ({
  metadata: { name, namespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleName }, subjects,
});
const attrs = (verb: string, resource: string, extra: Partial<{ group: string; subresource: string; name: string; namespace: string }> = {}): Attributes => ({
  verb, resource, group: '', subresource: '', name: '', namespace: 'dev', ...extra,
});

const policy = compilePolicy({
  clusterRoles: [
    role('scaler', [{ verbs: ['update'], apiGroups: ['*'], resources: ['*/scale'] }]),
    role('urls', [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/logs/*'] }]),
    role('everything', [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]),
  ],
  roles: [
    role('reader', [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'pods/log'] }], 'dev'),
    role('one-map', [{ verbs: ['get', 'update'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['app'] }], 'dev'),
  ],
  clusterRoleBindings: [
    binding('scalers', 'ClusterRole', 'scaler', [{ kind: 'Group', name: 'ops' }]),
    binding('urls', 'ClusterRole', 'urls', [{ kind: 'Group', name: 'system:authenticated' }]),
    binding('ghost', 'ClusterRole', 'no-such-role', [{ kind: 'User', name: 'jane' }]),
  ],
  roleBindings: [
    binding('jane-reads', 'Role', 'reader', [{ kind: 'User', name: 'jane' }], 'dev'),
    binding('sa-map', 'Role', 'one-map', [{ kind: 'ServiceAccount', name: 'app' }], 'dev'),
    binding('admin-elsewhere', 'ClusterRole', 'everything', [{ kind: 'User', name: 'jane' }], 'sandbox'),
  ],
});

const jane = { username: 'jane', groups: ['system:authenticated'] };
const allowed = (user: typeof jane, a: Attributes) => authorize(policy, user, a).allowed;

describe('the RBAC authorizer', () => {
  it('allows by verb, group, resource and subresource, within the binding\'s namespace', () => {
    assert.equal(allowed(jane, attrs('get', 'pods')), true);
    assert.equal(allowed(jane, attrs('list', 'pods')), true);
    assert.equal(allowed(jane, attrs('delete', 'pods')), false);
    assert.equal(allowed(jane, attrs('get', 'pods', { subresource: 'log' })), true);
    assert.equal(allowed(jane, attrs('get', 'pods', { subresource: 'exec' })), false);
    assert.equal(allowed(jane, attrs('get', 'pods', { namespace: 'prod' })), false);
    assert.equal(allowed(jane, attrs('get', 'deployments', { group: 'apps' })), false);
  });

  it('a ClusterRole bound in a namespace grants only there; * matches everything', () => {
    assert.equal(allowed(jane, attrs('delete', 'secrets', { namespace: 'sandbox' })), true);
    assert.equal(allowed(jane, attrs('delete', 'deployments', { namespace: 'sandbox', group: 'apps' })), true);
    assert.equal(allowed(jane, attrs('delete', 'nodes', { namespace: '' })), false);
  });

  it('*/scale matches any resource\'s scale subresource, for group members only', () => {
    const ops = { username: 'bob', groups: ['ops'] };
    assert.equal(allowed(ops, attrs('update', 'deployments', { group: 'apps', subresource: 'scale' })), true);
    assert.equal(allowed(ops, attrs('update', 'deployments', { group: 'apps' })), false);
    assert.equal(allowed(jane, attrs('update', 'deployments', { group: 'apps', subresource: 'scale' })), false);
  });

  it('resourceNames restrict to named objects (so never a list)', () => {
    const sa = { username: 'system:serviceaccount:dev:app', groups: ['system:serviceaccounts'] };
    assert.equal(allowed(sa, attrs('get', 'configmaps', { name: 'app' })), true);
    assert.equal(allowed(sa, attrs('get', 'configmaps', { name: 'other' })), false);
    assert.equal(allowed(sa, attrs('list', 'configmaps')), false);
  });

  it('nonResourceURLs match exactly or by a trailing *', () => {
    assert.equal(allowed(jane, { verb: 'get', path: '/healthz' }), true);
    assert.equal(allowed(jane, { verb: 'get', path: '/logs/kube-apiserver.log' }), true);
    assert.equal(allowed(jane, { verb: 'get', path: '/metrics' }), false);
    assert.equal(allowed(jane, { verb: 'post', path: '/healthz' }), false);
  });

  it('system:masters is allowed before RBAC; a binding to a missing role grants nothing', () => {
    assert.equal(allowed({ username: 'x', groups: ['system:masters'] }, attrs('delete', 'nodes', { namespace: '' })), true);
    assert.deepEqual(rulesFor(policy, { username: 'nobody', groups: [] }, 'dev'), []);
  });

  it('says which binding allowed, as kube-apiserver\'s reason', () => {
    assert.equal(authorize(policy, jane, attrs('get', 'pods')).reason, 'RBAC: allowed by RoleBinding "jane-reads/dev" of Role "reader" to User "jane"');
  });
});

describe('forbidden messages', () => {
  const cases: Array<[Attributes, string]> = [
    [attrs('list', 'pods', { namespace: 'default' }), 'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"'],
    [attrs('get', 'pods', { name: 'web', subresource: 'log' }), 'pods "web" is forbidden: User "jane" cannot get resource "pods/log" in API group "" in the namespace "dev"'],
    [attrs('list', 'nodes', { namespace: '' }), 'nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope'],
    [attrs('create', 'deployments', { group: 'apps' }), 'deployments.apps is forbidden: User "jane" cannot create resource "deployments" in API group "apps" in the namespace "dev"'],
    [{ verb: 'get', path: '/metrics' }, 'forbidden: User "jane" cannot get path "/metrics"'],
  ];
  for (const [a, message] of cases) {
    it(message, () => {
      const error = forbiddenError(jane, a);
      assert.equal(error.code, 403);
      assert.equal(error.message, message);
    });
  }
  it('carries the kind, group and name as details, as NewForbidden does', () => {
    assert.equal(JSON.stringify(forbiddenError(jane, attrs('get', 'deployments', { group: 'apps', name: 'web' })).toStatus().details), '{"name":"web","group":"apps","kind":"deployments"}');
  });
});

describe('escalation prevention\'s cover check', () => {
  it('finds what the owner does not hold, rule by atomic rule', () => {
    const owned: PolicyRule[] = [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', '*/status'] }, { verbs: ['get'], nonResourceURLs: ['/api/*'] }];
    assert.deepEqual(uncovered(owned, [{ verbs: ['get'], apiGroups: [''], resources: ['pods', 'services/status'] }]), []);
    assert.deepEqual(uncovered(owned, [{ verbs: ['get', 'delete'], apiGroups: [''], resources: ['pods'] }]), [{ verbs: ['delete'], apiGroups: [''], resources: ['pods'] }]);
    assert.deepEqual(uncovered(owned, [{ verbs: ['get'], nonResourceURLs: ['/api/v1', '/apis'] }]), [{ verbs: ['get'], nonResourceURLs: ['/apis'] }]);
  });
});

describe('the policy cache', () => {
  it('keeps a compiled policy until invalidated or a second old, per cluster incarnation', async () => {
    let loads = 0;
    const rbacDef = (plural: string) => ({ plural }) as ResourceDef;
    const objects: ClusterObjects = {
      catalog: { find: (_g, _v, plural) => rbacDef(plural), resources: [] },
      async list(def) {
        if (def.plural === 'clusterroles') loads++;
        return { items: [] as KubeObject[] };
      },
      get: () => Promise.reject(new Error('unused')),
      delete: () => Promise.reject(new Error('unused')),
      create: () => Promise.reject(new Error('unused')),
      mutate: () => Promise.reject(new Error('unused')),
    };
    const clock = new ManualClock();
    const cache = new PolicyCache(clock);
    await cache.policy('alice', 'uid-1', () => objects);
    await cache.policy('alice', 'uid-1', () => objects);
    assert.equal(loads, 1);
    cache.invalidate('alice');
    await cache.policy('alice', 'uid-1', () => objects);
    assert.equal(loads, 2);
    await cache.policy('alice', 'uid-2', () => objects);
    assert.equal(loads, 3, 'a re-created cluster is compiled afresh');
    clock.advance(1000);
    await cache.policy('alice', 'uid-2', () => objects);
    assert.equal(loads, 4, 'a second later, writes this process did not see are read');
  });
});
