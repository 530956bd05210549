import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { call, fmt, line, serveProcess } from './lib.ts';

/**
 * Issue 12: what RBAC costs a GET. The same pod read under 64 connections by the
 * cluster's admin (system:masters: allowed before RBAC is asked) and by `jane`, whom
 * a RoleBinding allows (the policy compiled and cached, then a few map lookups),
 * in alternated pairs so both see the same machine. Target: jane ≥ 90% of the admin's req/s.
 */
async function serve(): Promise<{ child: ChildProcess; port: number; admin: string; jane: string }> {
  const { child, port, fields: [admin, jane] } = await serveProcess('api');
  return { child, port, admin, jane };
}

async function rps(url: string, token: string): Promise<{ rps: number; errors: number }> {
  const result = await autocannon({ url, connections: 64, duration: 3, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  return { rps: result.requests.average, errors: result.errors + result.timeouts + result.non2xx };
}

export async function run(): Promise<void> {
  const server = await serve();
  try {
    const base = `https://127.0.0.1:${server.port}`;
    const post = (path: string, body: unknown) => call(`${base}${path}`, { method: 'POST', token: server.admin, body: JSON.stringify(body) });
    await post('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'nginx' }] } });
    // Bindings of others around jane's, so her lookups search a policy of some size.
    for (let i = 0; i < 50; i++) {
      await post('/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', { metadata: { name: `role-${i}` }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] });
      await post('/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', { metadata: { name: `binding-${i}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `role-${i}` }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: `user-${i}` }] });
    }
    await post('/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', { metadata: { name: 'pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }] });
    await post('/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', { metadata: { name: 'jane-reads' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'jane' }] });
    const url = `${base}/api/v1/namespaces/default/pods/web`;
    const admin: number[] = [];
    const jane: number[] = [];
    let errors = 0;
    await rps(url, server.admin); // warm up: the JIT and the policy cache
    for (let round = 0; round < 6; round++) {
      // Alternated, and each pair in either order, so drift in the machine's load falls on both.
      const pair = round % 2 ? [await rps(url, server.jane), await rps(url, server.admin)].reverse() : [await rps(url, server.admin), await rps(url, server.jane)];
      admin.push(pair[0].rps);
      jane.push(pair[1].rps);
      errors += pair[0].errors + pair[1].errors;
    }
    const ratios = jane.map((j, i) => j / admin[i]).sort((a, b) => a - b);
    const median = (ratios[2] + ratios[3]) / 2;
    line('GET one pod, admin (system:masters) req/s', admin.map((x) => fmt(x, 0)).join(' / '));
    line('GET one pod, jane (RBAC RoleBinding) req/s', jane.map((x) => fmt(x, 0)).join(' / '));
    line('jane / admin, median of 6 paired rounds', `${fmt(100 * median, 0)}%  (target ≥ 90%; rounds ${ratios.map((r) => fmt(100 * r, 0)).join(' ')}; errors ${errors})`);
  } finally {
    server.child.kill();
  }
}
