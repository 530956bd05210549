import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { Kubectl } from '../harness/kubectl.ts';
import { startNodeServer, type TestServer } from '../harness/server.ts';

/**
 * Issue 5: the resources kubectl users create (workloads, batch, RBAC, policy,
 * networking, quotas), judged by the real kubectl v1.35.
 */

const deployment = (name: string, selectorApp: string, templateApp = selectorApp) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  selector:
    matchLabels:
      app: ${selectorApp}
  template:
    metadata:
      labels:
        app: ${templateApp}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
`;

const job = (restartPolicy: string) => `apiVersion: batch/v1
kind: Job
metadata:
  name: pi${restartPolicy ? '' : '-broken'}
spec:
  template:
    spec:
      containers:
      - name: pi
        image: perl:5.34
        command: ["perl", "-Mbignum=bpi", "-wle", "print bpi(200)"]
${restartPolicy ? `      restartPolicy: ${restartPolicy}\n` : ''}`;

const cronJob = (name: string, schedule: string) => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
spec:
  schedule: "${schedule}"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: hello
            image: busybox:1.36
            command: ["date"]
          restartPolicy: OnFailure
`;

const rbac = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: pod-reader
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: read-pods
subjects:
- kind: User
  name: jane
roleRef:
  kind: Role
  name: pod-reader
`;

const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  ingressClassName: nginx
  rules:
  - host: example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
`;

const pdb = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web-pdb
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: web
`;

const priorityClass = `apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: high
value: 1000000
description: for important pods
`;

const quota = `apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute
spec:
  hard:
    pods: "10"
    requests.cpu: "4"
    limits.memory: 8Gi
`;

/** The README's "Adding a kind" example: served from one declaration file plus its schema. */
const runtimeClass = `apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: gvisor
handler: runsc
`;

/** Header and the row for `name`, split into cells on runs of 2+ spaces. */
function table(out: string, name: string): { header: string[]; row: string[] } {
  const lines = out.trimEnd().split('\n');
  const cells = (line: string) => line.trim().split(/\s{2,}/);
  const row = lines.find((l) => l.split(/\s+/)[0] === name);
  assert.ok(row, `no row for ${name} in:\n${out}`);
  return { header: cells(lines[0]), row: cells(row) };
}

describe('kubectl with workloads, batch, RBAC, policy, networking and quotas', () => {
  let server: TestServer;
  let kubectl: Kubectl;
  const apply = (yaml: string) => kubectl.ok(['apply', '--validate=false', '-f', '-'], { input: yaml });

  before(async () => {
    server = await startNodeServer();
    kubectl = new Kubectl(await server.kubeconfig());
  });
  after(() => server.close());

  it('a Deployment applied from YAML gets its columns and the real defaults', async () => {
    assert.equal((await apply(deployment('web', 'web'))).trim(), 'deployment.apps/web created');
    const { header, row } = table(await kubectl.ok(['get', 'deploy']), 'web');
    assert.deepEqual(header, ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    assert.deepEqual(row.slice(0, 4), ['web', '0/1', '0', '0']);
    const wide = table(await kubectl.ok(['get', 'deploy', '-o', 'wide']), 'web');
    assert.deepEqual(wide.header.slice(5), ['CONTAINERS', 'IMAGES', 'SELECTOR']);
    assert.deepEqual(wide.row.slice(5), ['web', 'nginx:1.27', 'app=web']);

    const d = parse(await kubectl.ok(['get', 'deploy', 'web', '-o', 'yaml']));
    assert.equal(d.metadata.generation, 1);
    assert.equal(d.spec.replicas, 1);
    assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    assert.equal(d.spec.revisionHistoryLimit, 10);
    assert.equal(d.spec.progressDeadlineSeconds, 600);
    const pod = d.spec.template.spec;
    assert.equal(pod.restartPolicy, 'Always');
    assert.equal(pod.dnsPolicy, 'ClusterFirst');
    assert.equal(pod.schedulerName, 'default-scheduler');
    assert.equal(pod.terminationGracePeriodSeconds, 30);
    assert.deepEqual(pod.securityContext, {});
    assert.equal(pod.containers[0].imagePullPolicy, 'IfNotPresent');
    assert.equal(pod.containers[0].terminationMessagePath, '/dev/termination-log');
    assert.equal(pod.containers[0].ports[0].protocol, 'TCP');
    // admission plugins act on pods, never on templates
    assert.equal(pod.volumes, undefined);
    assert.equal(pod.tolerations, undefined);
    assert.deepEqual(d.status, {});
  });

  it('scale goes through the scale subresource onto spec.replicas', async () => {
    assert.equal((await kubectl.ok(['scale', 'deploy', 'web', '--replicas=3'])).trim(), 'deployment.apps/web scaled');
    assert.equal(await kubectl.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas} {.metadata.generation}']), '3 2');
    assert.deepEqual(table(await kubectl.ok(['get', 'deploy']), 'web').row.slice(0, 2), ['web', '0/3']);
    const scale = JSON.parse(await kubectl.ok(['get', '--raw', '/apis/apps/v1/namespaces/default/deployments/web/scale']));
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.apiVersion, 'autoscaling/v1');
    assert.deepEqual(scale.spec, { replicas: 3 });
    assert.deepEqual(scale.status, { replicas: 0, selector: 'app=web' });
    const viaSubresource = table(await kubectl.ok(['get', 'deploy', 'web', '--subresource=scale']), 'web');
    assert.deepEqual(viaSubresource.header, ['NAME', 'DESIRED', 'AVAILABLE', 'AGE']);
    assert.deepEqual(viaSubresource.row.slice(0, 3), ['web', '3', '0']);
    const negative = await kubectl.run(['scale', 'deploy', 'web', '--replicas=-1']);
    assert.notEqual(negative.code, 0);
    const missing = await kubectl.run(['scale', 'deploy', 'nope', '--replicas=2']);
    assert.match(missing.stderr, /deployments\.apps "nope" not found/);
  });

  it('a selector that does not select the template is Invalid, naming the field', async () => {
    const result = await kubectl.run(['apply', '--validate=false', '-f', '-'], { input: deployment('bad', 'web', 'other') });
    assert.notEqual(result.code, 0);
    assert.equal(result.stderr.trim(), 'The Deployment "bad" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`');
    const missing = await kubectl.run(['get', 'deploy', 'bad']);
    assert.match(missing.stderr, /deployments\.apps "bad" not found/);
  });

  it('create deployment (protobuf) makes the selector and labels kubectl asks for', async () => {
    assert.equal((await kubectl.ok(['create', 'deployment', 'hello', '--image=nginx', '--replicas=2'])).trim(), 'deployment.apps/hello created');
    const d = parse(await kubectl.ok(['get', 'deploy', 'hello', '-o', 'yaml']));
    assert.deepEqual(d.spec.selector, { matchLabels: { app: 'hello' } });
    assert.equal(d.spec.replicas, 2);
    assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, 'Always');
  });

  it('a Job gets a generated selector, its labels and the batch defaults', async () => {
    assert.equal((await apply(job('Never'))).trim(), 'job.batch/pi created');
    const { header, row } = table(await kubectl.ok(['get', 'jobs']), 'pi');
    assert.deepEqual(header, ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
    // no controller has started it yet: no duration
    assert.deepEqual(row.slice(0, 3), ['pi', 'Running', '0/1']);
    assert.match(row[3], /^\d+s$/);

    const j = parse(await kubectl.ok(['get', 'job', 'pi', '-o', 'yaml']));
    const uid = j.metadata.uid;
    assert.deepEqual(j.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    const expected = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': uid, 'job-name': 'pi' };
    assert.deepEqual(j.spec.template.metadata.labels, expected);
    assert.deepEqual(j.metadata.labels, expected);
    assert.equal(j.spec.completions, 1);
    assert.equal(j.spec.parallelism, 1);
    assert.equal(j.spec.backoffLimit, 6);
    assert.equal(j.spec.completionMode, 'NonIndexed');
    assert.equal(j.spec.suspend, false);
    assert.equal(j.spec.manualSelector, false);
    assert.equal(j.spec.podReplacementPolicy, 'TerminatingOrFailed');
  });

  it('a Job whose pods would restart Always is Invalid', async () => {
    const result = await kubectl.run(['apply', '--validate=false', '-f', '-'], { input: job('') });
    assert.notEqual(result.code, 0);
    assert.equal(result.stderr.trim(), 'The Job "pi-broken" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"');
  });

  it('a CronJob is listed with its schedule; a bad schedule is Invalid', async () => {
    assert.equal((await apply(cronJob('hello', '*/5 * * * *'))).trim(), 'cronjob.batch/hello created');
    const { header, row } = table(await kubectl.ok(['get', 'cj']), 'hello');
    assert.deepEqual(header, ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE']);
    assert.deepEqual(row.slice(0, 6), ['hello', '*/5 * * * *', '<none>', 'False', '0', '<none>']);
    const cj = parse(await kubectl.ok(['get', 'cronjob', 'hello', '-o', 'yaml']));
    assert.equal(cj.spec.concurrencyPolicy, 'Allow');
    assert.equal(cj.spec.successfulJobsHistoryLimit, 3);
    assert.equal(cj.spec.failedJobsHistoryLimit, 1);
    assert.equal(cj.spec.jobTemplate.spec.template.spec.dnsPolicy, 'ClusterFirst');

    const bad = await kubectl.run(['apply', '--validate=false', '-f', '-'], { input: cronJob('bad', 'every minute') });
    assert.notEqual(bad.code, 0);
    assert.equal(bad.stderr.trim(), 'The CronJob "bad" is invalid: spec.schedule: Invalid value: "every minute": expected exactly 5 fields, found 2: [every minute]');
    const range = await kubectl.run(['apply', '--validate=false', '-f', '-'], { input: cronJob('bad', '61 * * * *') });
    assert.match(range.stderr, /spec\.schedule: Invalid value: "61 \* \* \* \*": end of range \(61\) above maximum \(59\): 61/);
  });

  it('Roles print their creation time, RoleBindings their role and subjects', async () => {
    assert.deepEqual((await apply(rbac)).trim().split('\n'), ['role.rbac.authorization.k8s.io/pod-reader created', 'rolebinding.rbac.authorization.k8s.io/read-pods created']);
    const roles = table(await kubectl.ok(['get', 'roles']), 'pod-reader');
    assert.deepEqual(roles.header, ['NAME', 'CREATED AT']);
    assert.match(roles.row[1], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const bindings = table(await kubectl.ok(['get', 'rolebindings', '-o', 'wide']), 'read-pods');
    assert.deepEqual(bindings.header, ['NAME', 'ROLE', 'AGE', 'USERS', 'GROUPS', 'SERVICEACCOUNTS']);
    assert.equal(bindings.row[1], 'Role/pod-reader');
    assert.equal(bindings.row[3], 'jane');
    // the subject's and roleRef's API group are defaulted
    const b = parse(await kubectl.ok(['get', 'rolebinding', 'read-pods', '-o', 'yaml']));
    assert.equal(b.roleRef.apiGroup, 'rbac.authorization.k8s.io');
    assert.equal(b.subjects[0].apiGroup, 'rbac.authorization.k8s.io');
  });

  it('Ingress, PodDisruptionBudget, PriorityClass and ResourceQuota print their columns', async () => {
    assert.equal((await apply(ingress)).trim(), 'ingress.networking.k8s.io/web created');
    const ing = table(await kubectl.ok(['get', 'ing']), 'web');
    assert.deepEqual(ing.header, ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
    // ADDRESS is empty until an ingress controller reports one
    assert.deepEqual(ing.row.slice(0, 4), ['web', 'nginx', 'example.com', '80']);

    assert.equal((await apply(pdb)).trim(), 'poddisruptionbudget.policy/web-pdb created');
    const budget = table(await kubectl.ok(['get', 'pdb']), 'web-pdb');
    assert.deepEqual(budget.header, ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE']);
    assert.deepEqual(budget.row.slice(0, 4), ['web-pdb', '1', 'N/A', '0']);

    assert.equal((await apply(priorityClass)).trim(), 'priorityclass.scheduling.k8s.io/high created');
    const pc = table(await kubectl.ok(['get', 'pc']), 'high');
    assert.deepEqual(pc.header, ['NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE', 'PREEMPTIONPOLICY']);
    assert.deepEqual([...pc.row.slice(0, 3), pc.row[4]], ['high', '1000000', 'false', 'PreemptLowerPriority']);

    assert.equal((await apply(quota)).trim(), 'resourcequota/compute created');
    const q = table(await kubectl.ok(['get', 'quota']), 'compute');
    assert.deepEqual(q.header, ['NAME', 'AGE', 'REQUEST', 'LIMIT']);
    assert.deepEqual(q.row.slice(2), ['pods: 0/10, requests.cpu: 0/4', 'limits.memory: 0/8Gi']);
  });

  it('RuntimeClass, a kind added by one declaration file, is served, printed, validated and explained', async () => {
    assert.equal((await kubectl.ok(['apply', '-f', '-'], { input: runtimeClass })).trim(), 'runtimeclass.node.k8s.io/gvisor created');
    const rc = table(await kubectl.ok(['get', 'runtimeclasses']), 'gvisor');
    assert.deepEqual(rc.header, ['NAME', 'HANDLER', 'AGE']);
    assert.deepEqual(rc.row.slice(0, 2), ['gvisor', 'runsc']);
    const changed = await kubectl.run(['apply', '-f', '-'], { input: runtimeClass.replace('runsc', 'kata') });
    assert.equal(changed.stderr.trim(), 'The RuntimeClass "gvisor" is invalid: handler: Invalid value: "kata": field is immutable');
    const bad = await kubectl.run(['create', '-f', '-'], { input: runtimeClass.replace('gvisor', 'bad').replace('runsc', 'Run_SC') });
    assert.match(bad.stderr, /^The RuntimeClass "bad" is invalid: handler: Invalid value: "Run_SC": a lowercase RFC 1123 label must consist of/);
    assert.match(await kubectl.ok(['explain', 'runtimeclass']), /GROUP:\s+node\.k8s\.io\nKIND:\s+RuntimeClass\nVERSION:\s+v1/);
  });

  it('a cluster-scoped resource is not served below /namespaces/<ns>/; /namespaces/<name> is the namespace itself', async () => {
    const ns = JSON.parse(await kubectl.ok(['get', '--raw', '/api/v1/namespaces/kube-system'])) as { kind: string; metadata: { name: string } };
    assert.deepEqual([ns.kind, ns.metadata.name], ['Namespace', 'kube-system']);
    for (const path of ['/api/v1/namespaces/default/nodes/controlplane', '/api/v1/namespaces/default/namespaces/kube-system', '/apis/node.k8s.io/v1/namespaces/default/runtimeclasses']) {
      const res = await kubectl.run(['get', '--raw', path]);
      assert.match(res.stderr, /the server could not find the requested resource/, path);
    }
  });

  it('a reserved or too-high priority is refused as the real server does', async () => {
    const high = await kubectl.run(['apply', '--validate=false', '-f', '-'], { input: priorityClass.replace('name: high', 'name: higher').replace('1000000', '2000000000') });
    assert.equal(high.stderr.trim(), 'The PriorityClass "higher" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000');
  });

  it('api-resources lists the new groups with their short names; api-versions the group versions', async () => {
    const out = await kubectl.ok(['api-resources']);
    for (const [name, short, gv, namespaced, kind] of [
      ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment'], ['replicasets', 'rs', 'apps/v1', 'true', 'ReplicaSet'],
      ['statefulsets', 'sts', 'apps/v1', 'true', 'StatefulSet'], ['daemonsets', 'ds', 'apps/v1', 'true', 'DaemonSet'],
      ['cronjobs', 'cj', 'batch/v1', 'true', 'CronJob'], ['ingresses', 'ing', 'networking.k8s.io/v1', 'true', 'Ingress'],
      ['networkpolicies', 'netpol', 'networking.k8s.io/v1', 'true', 'NetworkPolicy'], ['poddisruptionbudgets', 'pdb', 'policy/v1', 'true', 'PodDisruptionBudget'],
      ['priorityclasses', 'pc', 'scheduling.k8s.io/v1', 'false', 'PriorityClass'], ['resourcequotas', 'quota', 'v1', 'true', 'ResourceQuota'],
      ['persistentvolumeclaims', 'pvc', 'v1', 'true', 'PersistentVolumeClaim'], ['replicationcontrollers', 'rc', 'v1', 'true', 'ReplicationController'],
    ]) {
      assert.match(out, new RegExp(`^${name}\\s+${short}\\s+${gv.replace(/\./g, '\\.')}\\s+${namespaced}\\s+${kind}$`, 'm'));
    }
    for (const [name, gv, namespaced, kind] of [
      ['jobs', 'batch/v1', 'true', 'Job'], ['roles', 'rbac.authorization.k8s.io/v1', 'true', 'Role'],
      ['clusterrolebindings', 'rbac.authorization.k8s.io/v1', 'false', 'ClusterRoleBinding'], ['leases', 'coordination.k8s.io/v1', 'true', 'Lease'],
      ['selfsubjectaccessreviews', 'authorization.k8s.io/v1', 'false', 'SelfSubjectAccessReview'],
    ]) {
      assert.match(out, new RegExp(`^${name}\\s+${gv.replace(/\./g, '\\.')}\\s+${namespaced}\\s+${kind}$`, 'm'));
    }
    const versions = (await kubectl.ok(['api-versions'])).trim().split('\n');
    for (const gv of ['apps/v1', 'batch/v1', 'rbac.authorization.k8s.io/v1', 'policy/v1', 'networking.k8s.io/v1', 'scheduling.k8s.io/v1', 'authorization.k8s.io/v1', 'v1']) {
      assert.ok(versions.includes(gv), `${gv} missing from api-versions: ${versions.join(' ')}`);
    }
  });

  it('get all expands the `all` category to workloads and jobs', async () => {
    const out = await kubectl.ok(['get', 'all']);
    assert.match(out, /^service\/kubernetes\s+ClusterIP\s+/m);
    assert.match(out, /^deployment\.apps\/web\s+0\/3\s+0\s+0\s+/m);
    assert.match(out, /^job\.batch\/pi\s+Running\s+0\/1\s+/m);
    assert.match(out, /^cronjob\.batch\/hello\s+\*\/5 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+/m);
    // things outside the category stay out
    assert.doesNotMatch(out, /ingress|role|priorityclass/);
  });

  it('auth can-i answers yes for system:masters', async () => {
    const result = await kubectl.run(['auth', 'can-i', 'get', 'pods']);
    assert.equal(result.stdout.trim(), 'yes');
    assert.equal(result.code, 0);
  });

  it('auth can-i follows RoleBindings for other users, with the RBAC reason', async () => {
    const token = await server.token('default', { sub: 'jane', groups: ['system:authenticated'] });
    const jane = new Kubectl(await server.kubeconfig('default', token));
    assert.equal((await jane.ok(['auth', 'can-i', 'list', 'pods'])).trim(), 'yes');
    const denied = await jane.run(['auth', 'can-i', 'delete', 'pods']);
    assert.equal(denied.stdout.trim(), 'no');
    assert.equal(denied.code, 1);
    assert.equal((await jane.run(['auth', 'can-i', 'get', 'pods', '-n', 'kube-system'])).stdout.trim(), 'no');

    // the review itself, as JSON through `create -f`: the reason names the binding that allowed it.
    // (--validate=false: kubectl looks for a PATCH of this create-only kind in /openapi/v2, finds none and
    // lists CRDs, which jane may not: so on a real cluster too, kubernetes/kubernetes#116245.)
    const review = JSON.parse(await jane.ok(['create', '--validate=false', '-f', '-', '-o', 'json'], {
      input: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } } }),
    }));
    assert.deepEqual(review.status, { allowed: true, reason: 'RBAC: allowed by RoleBinding "read-pods/default" of Role "pod-reader" to User "jane"' });
  });
});
