import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { Kubectl, olderKubectl } from '../../harness/kubectl.ts';
import { eventually } from '../helpers/eventually.ts';
import type { Entry } from './core.ts';

/**
 * The admission chain as a CKA student meets it (issue 13, point 1): the default service
 * account and its token volume, LimitRange defaults and limits, ResourceQuota refusals and
 * usage, PriorityClasses and PodSecurity namespace labels — each answer as kube-apiserver
 * gives it, judged by the real kubectl.
 */

const pod = (name: string, namespace: string, spec: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
${spec}`;

const container = (name: string, resources = '') => `  containers:
  - name: ${name}
    image: nginx${resources ? `\n    resources:\n${resources}` : ''}
`;

const limitRange = `apiVersion: v1
kind: LimitRange
metadata:
  name: cpu-mem
  namespace: limits
spec:
  limits:
  - type: Container
    default:
      cpu: 500m
      memory: 256Mi
    defaultRequest:
      cpu: 250m
      memory: 128Mi
    max:
      cpu: 500m
`;

/** The part of kubectl's stderr after `Error from server (...): `, one line. */
const refusal = (stderr: string) => stderr.trim();

export function admissionScenario(label: string, open: () => Promise<Entry>) {
describe(`admission plugins (${label})`, () => {
  let server: Entry;
  let kubectl: Kubectl;
  const getPod = async (name: string, namespace: string) => parse(await kubectl.ok(['get', 'pod', name, '-n', namespace, '-o', 'yaml']));

  before(async () => {
    server = await open();
    kubectl = new Kubectl(await server.kubeconfig());
  });
  after(() => server.close());

  it('ServiceAccount: a pod runs as `default` with the projected kube-api-access volume; a missing account is refused', async () => {
    await kubectl.ok(['create', 'namespace', 'team']);
    // The namespace's `default` ServiceAccount and CA bundle are there at once.
    assert.match(await kubectl.ok(['get', 'sa', '-n', 'team']), /^default\s+0\s+/m);
    assert.match(await kubectl.ok(['get', 'configmap', 'kube-root-ca.crt', '-n', 'team']), /^kube-root-ca\.crt\s+1\s+/m);
    await kubectl.ok(['run', 'web', '-n', 'team', '--image=nginx']);
    const web = await getPod('web', 'team');
    assert.equal(web.spec.serviceAccountName, 'default');
    assert.equal(web.spec.serviceAccount, 'default');
    assert.equal(web.spec.volumes.length, 1);
    const volume = web.spec.volumes[0];
    assert.match(volume.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(volume.projected, {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
      ],
    });
    assert.deepEqual(web.spec.containers[0].volumeMounts, [{ name: volume.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);

    await kubectl.ok(['create', '-f', '-'], { input: pod('quiet', 'team', `  automountServiceAccountToken: false\n${container('quiet')}`) });
    const quiet = await getPod('quiet', 'team');
    assert.equal(quiet.spec.volumes, undefined);
    assert.equal(quiet.spec.containers[0].volumeMounts, undefined);

    const ghost = await kubectl.run(['create', '-f', '-'], { input: pod('ghost', 'team', `  serviceAccountName: ghost\n${container('ghost')}`) });
    assert.equal(refusal(ghost.stderr), 'Error from server (Forbidden): error when creating "STDIN": pods "ghost" is forbidden: error looking up service account team/ghost: serviceaccount "ghost" not found');
  });

  it('LimitRanger: Container defaults fill unset requests and limits, with the annotation; max is enforced', async () => {
    await kubectl.ok(['create', 'namespace', 'limits']);
    assert.equal((await kubectl.ok(['apply', '-f', '-'], { input: limitRange })).trim(), 'limitrange/cpu-mem created');
    await kubectl.ok(['run', 'web', '-n', 'limits', '--image=nginx']);
    const web = await getPod('web', 'limits');
    assert.deepEqual(web.spec.containers[0].resources, { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '250m', memory: '128Mi' } });
    assert.equal(web.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container web; cpu, memory limit for container web');
    assert.equal(web.status.qosClass, 'Burstable');

    const big = await kubectl.run(['create', '-f', '-'], { input: pod('big', 'limits', container('big', '      limits:\n        cpu: "1"')) });
    assert.equal(refusal(big.stderr), 'Error from server (Forbidden): error when creating "STDIN": pods "big" is forbidden: maximum cpu usage per Container is 500m, but limit is 1');
    assert.match(await kubectl.ok(['describe', 'limitrange', 'cpu-mem', '-n', 'limits']), /^Container\s+cpu\s+-\s+500m\s+250m\s+500m\s+-$/m);
  });

  it('LimitRanger: kubectl v1.32 gets the same refusal', async (t) => {
    const binary = olderKubectl();
    if (!binary) return t.skip('kubectl v1.32 is not installed here');
    const older = new Kubectl(await server.kubeconfig(), binary);
    const big = await older.run(['run', 'big', '-n', 'limits', '--image=nginx', '--overrides={"spec":{"containers":[{"name":"big","image":"nginx","resources":{"limits":{"cpu":"2"}}}]}}']);
    assert.equal(refusal(big.stderr), 'Error from server (Forbidden): pods "big" is forbidden: maximum cpu usage per Container is 500m, but limit is 2');
  });

  it('ResourceQuota: past pods=2 a pod is refused as kube refuses it; describe quota shows Used; a deletion gives the slot back', async () => {
    await kubectl.ok(['create', 'namespace', 'quota']);
    await kubectl.ok(['create', 'quota', 'q1', '--hard=pods=2,count/deployments.apps=1,configmaps=5', '-n', 'quota']);
    await kubectl.ok(['run', 'p1', '-n', 'quota', '--image=nginx']);
    await kubectl.ok(['run', 'p2', '-n', 'quota', '--image=nginx']);
    const third = await kubectl.run(['run', 'p3', '-n', 'quota', '--image=nginx']);
    assert.equal(refusal(third.stderr), 'Error from server (Forbidden): pods "p3" is forbidden: exceeded quota: q1, requested: pods=1, used: pods=2, limited: pods=2');
    // the namespace's kube-root-ca.crt was there before the quota: the controller counts it
    const described = await eventually(() => kubectl.ok(['describe', 'quota', 'q1', '-n', 'quota']), (out) => /^configmaps\s+1\s+5$/m.test(out), 'configmaps counted');
    assert.match(described, /^Name:\s+q1$/m);
    assert.match(described, /^Resource\s+Used\s+Hard$/m);
    assert.match(described, /^pods\s+2\s+2$/m);
    assert.match(described, /^count\/deployments\.apps\s+0\s+1$/m);
    assert.match(await kubectl.ok(['get', 'quota', '-n', 'quota']), /^q1\s+\S+\s+configmaps: 1\/5, count\/deployments\.apps: 0\/1, pods: 2\/2\s*$/m);

    await kubectl.ok(['create', 'deployment', 'web', '-n', 'quota', '--image=nginx', '--replicas=0']);
    const second = await kubectl.run(['create', 'deployment', 'api', '-n', 'quota', '--image=nginx']);
    assert.equal(refusal(second.stderr), 'error: failed to create deployment: deployments.apps "api" is forbidden: exceeded quota: q1, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1');

    await kubectl.ok(['delete', 'pod', 'p1', '-n', 'quota', '--grace-period=0', '--force']);
    await eventually(() => kubectl.ok(['describe', 'quota', 'q1', '-n', 'quota']), (out) => /^pods\s+1\s+2$/m.test(out), 'the slot given back');
    // Two creates racing for the last slot: the quota is charged with compare-and-swap, so one of them is refused.
    const racing = await Promise.all(['r1', 'r2'].map((name) => kubectl.run(['run', name, '-n', 'quota', '--image=nginx'])));
    assert.equal(racing.filter((r) => r.code === 0).length, 1, racing.map((r) => r.stderr).join('\n'));
    assert.match(racing.find((r) => r.code !== 0)!.stderr, /is forbidden: exceeded quota: q1, requested: pods=1, used: pods=2, limited: pods=2$/m);
    assert.match(await kubectl.ok(['describe', 'quota', 'q1', '-n', 'quota']), /^pods\s+2\s+2$/m);
  });

  it('ResourceQuota: compute quotas want every container to state them, and add up requests and limits', async () => {
    await kubectl.ok(['create', 'namespace', 'compute']);
    await kubectl.ok(['create', 'quota', 'compute', '--hard=requests.cpu=1,limits.memory=1Gi', '-n', 'compute']);
    const bare = await kubectl.run(['run', 'web', '-n', 'compute', '--image=nginx']);
    assert.equal(refusal(bare.stderr), 'Error from server (Forbidden): pods "web" is forbidden: failed quota: compute: must specify limits.memory for: web; requests.cpu for: web');
    const sized = (name: string) => pod(name, 'compute', container(name, '      requests:\n        cpu: 600m\n      limits:\n        memory: 512Mi'));
    await kubectl.ok(['create', '-f', '-'], { input: sized('a') });
    const b = await kubectl.run(['create', '-f', '-'], { input: sized('b') });
    assert.equal(refusal(b.stderr), 'Error from server (Forbidden): error when creating "STDIN": pods "b" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1');
    const described = await kubectl.ok(['describe', 'quota', 'compute', '-n', 'compute']);
    assert.match(described, /^limits\.memory\s+512Mi\s+1Gi$/m);
    assert.match(described, /^requests\.cpu\s+600m\s+1$/m);
  });

  it('PodSecurity: enforce refuses as kube-apiserver words it, warn admits with a warning, a stricter enforce label warns about the pods already there', async () => {
    await kubectl.ok(['create', 'namespace', 'secure']);
    assert.equal((await kubectl.ok(['label', 'namespace', 'secure', 'pod-security.kubernetes.io/enforce=restricted'])).trim(), 'namespace/secure labeled');
    const refused = await kubectl.run(['run', 'web', '-n', 'secure', '--image=nginx']);
    assert.equal(refusal(refused.stderr), 'Error from server (Forbidden): pods "web" is forbidden: violates PodSecurity "restricted:latest": '
      + 'allowPrivilegeEscalation != false (container "web" must set securityContext.allowPrivilegeEscalation=false), '
      + 'unrestricted capabilities (container "web" must set securityContext.capabilities.drop=["ALL"]), '
      + 'runAsNonRoot != true (pod or container "web" must set securityContext.runAsNonRoot=true), '
      + 'seccompProfile (pod or container "web" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")');
    const hardened = pod('hardened', 'secure', `  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
  containers:
  - name: app
    image: nginx
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop: ["ALL"]
`);
    const admitted = await kubectl.run(['create', '-f', '-'], { input: hardened });
    assert.equal(admitted.code, 0, admitted.stderr);
    assert.equal(admitted.stderr, '');
    // A Deployment is checked by its template: warned, not refused (its pods would be).
    const deployment = await kubectl.run(['create', 'deployment', 'api', '-n', 'secure', '--image=nginx', '--replicas=0']);
    assert.equal(deployment.code, 0, deployment.stderr);
    assert.match(deployment.stderr, /^Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "nginx" must set securityContext\.allowPrivilegeEscalation=false\), /m);

    await kubectl.ok(['create', 'namespace', 'relaxed']);
    await kubectl.ok(['label', 'namespace', 'relaxed', 'pod-security.kubernetes.io/enforce=baseline', 'pod-security.kubernetes.io/warn=restricted', 'pod-security.kubernetes.io/warn-version=v1.35']);
    const warned = await kubectl.run(['run', 'web', '-n', 'relaxed', '--image=nginx']);
    assert.equal(warned.code, 0, warned.stderr);
    assert.equal(warned.stdout.trim(), 'pod/web created');
    assert.equal(warned.stderr.trim(), 'Warning: would violate PodSecurity "restricted:v1.35": allowPrivilegeEscalation != false (container "web" must set securityContext.allowPrivilegeEscalation=false), '
      + 'unrestricted capabilities (container "web" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "web" must set securityContext.runAsNonRoot=true), '
      + 'seccompProfile (pod or container "web" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")');
    const privileged = await kubectl.run(['create', '-f', '-'], { input: pod('root', 'relaxed', `  hostNetwork: true
${container('root', '')}    securityContext:
      privileged: true
`) });
    assert.equal(refusal(privileged.stderr), 'Error from server (Forbidden): error when creating "STDIN": pods "root" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), privileged (container "root" must not set securityContext.privileged=true)');

    const relabel = await kubectl.run(['label', 'namespace', 'relaxed', '--overwrite', 'pod-security.kubernetes.io/enforce=restricted']);
    assert.equal(relabel.code, 0, relabel.stderr);
    assert.equal(relabel.stderr.trim(), 'Warning: existing pods in namespace "relaxed" violate the new PodSecurity enforce level "restricted:latest"\n'
      + 'Warning: web: allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile');
    const invalid = await kubectl.run(['label', 'namespace', 'relaxed', '--overwrite', 'pod-security.kubernetes.io/enforce=strict']);
    assert.match(invalid.stderr, /Namespace "relaxed" is invalid: metadata\.labels\[pod-security\.kubernetes\.io\/enforce\]: Invalid value: "strict": must be one of privileged, baseline, restricted/);
  });

  it('Priority: priorityClassName becomes spec.priority; an unknown class is refused; a globalDefault class applies to pods naming none', async () => {
    const classes = await kubectl.ok(['get', 'priorityclasses']);
    assert.match(classes, /^system-cluster-critical\s+2000000000\s+false\s+/m);
    assert.match(classes, /^system-node-critical\s+2000001000\s+false\s+/m);
    await kubectl.ok(['create', 'priorityclass', 'high', '--value=1000', '--description=important']);
    await kubectl.ok(['create', 'priorityclass', 'calm', '--value=10', '--preemption-policy=Never']);
    await kubectl.ok(['create', '-f', '-'], { input: pod('urgent', 'default', `  priorityClassName: high\n${container('urgent')}`) });
    const urgent = await getPod('urgent', 'default');
    assert.equal(urgent.spec.priority, 1000);
    assert.equal(urgent.spec.preemptionPolicy, 'PreemptLowerPriority');
    await kubectl.ok(['create', '-f', '-'], { input: pod('patient', 'default', `  priorityClassName: calm\n${container('patient')}`) });
    assert.equal((await getPod('patient', 'default')).spec.preemptionPolicy, 'Never');

    await kubectl.ok(['run', 'plain', '--image=nginx']);
    const plain = await getPod('plain', 'default');
    assert.equal(plain.spec.priority, 0);
    assert.equal(plain.spec.priorityClassName, undefined);

    const unknown = await kubectl.run(['create', '-f', '-'], { input: pod('lost', 'default', `  priorityClassName: nope\n${container('lost')}`) });
    assert.equal(refusal(unknown.stderr), 'Error from server (Forbidden): error when creating "STDIN": pods "lost" is forbidden: no PriorityClass with name nope was found');

    await kubectl.ok(['create', 'priorityclass', 'everyone', '--value=5', '--global-default']);
    const second = await kubectl.run(['create', 'priorityclass', 'another', '--value=6', '--global-default']);
    assert.equal(refusal(second.stderr), 'error: failed to create priorityclass: priorityclasses.scheduling.k8s.io "another" is forbidden: PriorityClass everyone is already marked as default. Only one default can exist');
    await kubectl.ok(['run', 'defaulted', '--image=nginx']);
    const defaulted = await getPod('defaulted', 'default');
    assert.equal(defaulted.spec.priorityClassName, 'everyone');
    assert.equal(defaulted.spec.priority, 5);
    await kubectl.ok(['delete', 'priorityclass', 'everyone']);
  });

  it('ValidatingAdmissionPolicy: a Deny binding refuses as kube-apiserver words it, a Warn binding warns; bad policies and bindings are refused', async () => {
    const policy = (name: string, validations: string) => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: ${name}}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}
  validations:
${validations}`;
    const binding = (name: string, policyName: string, actions: string, selector = 'vap: test') => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: ${name}}
spec:
  policyName: ${policyName}
  validationActions: [${actions}]
  matchResources:
    namespaceSelector: {matchLabels: {${selector}}}
`;
    await kubectl.ok(['create', 'namespace', 'vap']);
    await kubectl.ok(['label', 'namespace', 'vap', 'vap=test']);
    await kubectl.ok(['apply', '-f', '-'], { input: policy('replicas-limit.example.com', '  - {expression: "object.spec.replicas <= 5"}\n') });
    await kubectl.ok(['apply', '-f', '-'], { input: binding('replicas-limit-binding.example.com', 'replicas-limit.example.com', 'Deny') });
    await kubectl.ok(['apply', '-f', '-'], { input: policy('named-app.example.com', `  - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"\n    messageExpression: "'deployment ' + object.metadata.name + ' has no team label'"\n    reason: Forbidden\n`) });
    await kubectl.ok(['apply', '-f', '-'], { input: binding('named-app-warn.example.com', 'named-app.example.com', 'Warn') });
    assert.match(await kubectl.ok(['get', 'validatingadmissionpolicies']), /^NAME\s+VALIDATIONS\s+PARAMKIND\s+AGE\nnamed-app\.example\.com\s+1\s+<unset>\s+\S+\nreplicas-limit\.example\.com\s+1\s+<unset>\s+\S+\n$/);
    assert.match(await kubectl.ok(['get', 'validatingadmissionpolicybindings']), /^NAME\s+POLICYNAME\s+PARAMREF\s+AGE\nnamed-app-warn\.example\.com\s+named-app\.example\.com\s+<unset>\s+\S+\n/);

    const refused = await kubectl.run(['create', 'deployment', 'nginx', '--image=nginx', '--replicas=6', '-n', 'vap']);
    assert.notEqual(refused.code, 0);
    assert.equal(refusal(refused.stderr), 'error: failed to create deployment: deployments.apps "nginx" is forbidden: ValidatingAdmissionPolicy \'replicas-limit.example.com\' with binding \'replicas-limit-binding.example.com\' denied request: failed expression: object.spec.replicas <= 5');
    const created = await kubectl.run(['create', 'deployment', 'nginx', '--image=nginx', '--replicas=2', '-n', 'vap']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, /Warning: Validation failed for ValidatingAdmissionPolicy 'named-app\.example\.com' with binding 'named-app-warn\.example\.com': deployment nginx has no team label/);
    const scaled = await kubectl.run(['scale', 'deployment', 'nginx', '--replicas=7', '-n', 'vap']);
    assert.match(scaled.stderr, /ValidatingAdmissionPolicy 'replicas-limit\.example\.com' with binding 'replicas-limit-binding\.example\.com' denied request/);
    // Outside the selected namespace, nothing applies.
    await kubectl.ok(['create', 'deployment', 'big', '--image=nginx', '--replicas=6']);

    const badPolicy = await kubectl.run(['apply', '-f', '-'], { input: policy('broken.example.com', '  - {expression: "object.spec.replicas <="}\n') });
    assert.match(badPolicy.stderr, /^The ValidatingAdmissionPolicy "broken\.example\.com" is invalid: spec\.validations\[0\]\.expression: Invalid value: "object\.spec\.replicas <=": compilation failed: /);
    const badBinding = await kubectl.run(['apply', '-f', '-'], { input: binding('empty.example.com', 'replicas-limit.example.com', '') });
    assert.match(badBinding.stderr, /^The ValidatingAdmissionPolicyBinding "empty\.example\.com" is invalid: spec\.validationActions: Required value: at least one validation action is required/);
    await kubectl.ok(['delete', 'validatingadmissionpolicybinding', 'replicas-limit-binding.example.com', 'named-app-warn.example.com']);
    await kubectl.ok(['delete', 'namespace', 'vap', '--wait=false']);
    await kubectl.ok(['delete', 'deployment', 'big']);
  });
});
}
