import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { Kubectl } from '../../harness/kubectl.ts';
import { eventually } from '../helpers/eventually.ts';
import type { Entry } from './core.ts';

/**
 * The simulated kubelet honours the pod spec (issue 13, point 4), as a CKA student sees
 * it through the real kubectl v1.35: env from ConfigMaps, Secrets and the downward API,
 * CreateContainerConfigError until a ConfigMap appears, volumes the container reads,
 * liveness and readiness probes with their events and restarts, and OOM kills.
 */

/** kubectl's output once it matches (bounded: a safety net, not a timing assertion). */
/** The Events part of `kubectl describe` (assertion messages stay short). */
const eventsOf = (described: string) => described.slice(described.indexOf('\nEvents:'));

const until = (kubectl: Kubectl, args: string[], ok: (out: string) => boolean, what: string) =>
  eventually(async () => (await kubectl.run(args)).stdout, ok, what, 120_000);

const envPod = `apiVersion: v1
kind: Pod
metadata:
  name: envpod
  labels: { app: env }
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: busybox
    command: ['sh', '-c', 'echo $MODE $DB_USER $POD_NAME $POD_NS $NODE $MEM_MI $CPU_M $GREETING $CFG_MODE $APP; echo $KUBERNETES_SERVICE_HOST $KUBERNETES_SERVICE_PORT; echo $(MODE)']
    resources:
      limits: { memory: 64Mi, cpu: 250m }
    envFrom:
    - configMapRef: { name: app-config }
      prefix: CFG_
    - configMapRef: { name: not-there, optional: true }
    env:
    - name: MODE
      valueFrom: { configMapKeyRef: { name: app-config, key: MODE } }
    - name: DB_USER
      valueFrom: { secretKeyRef: { name: db, key: DB_USER } }
    - name: POD_NAME
      valueFrom: { fieldRef: { fieldPath: metadata.name } }
    - name: POD_NS
      valueFrom: { fieldRef: { fieldPath: metadata.namespace } }
    - name: NODE
      valueFrom: { fieldRef: { fieldPath: spec.nodeName } }
    - name: APP
      valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } }
    - name: MEM_MI
      valueFrom: { resourceFieldRef: { resource: limits.memory, divisor: 1Mi } }
    - name: CPU_M
      valueFrom: { resourceFieldRef: { resource: limits.cpu, divisor: 1m } }
    - name: GREETING
      value: hello-$(MODE)
`;

const waitingPod = (name: string, ref: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: busybox
    command: ['sh', '-c', 'echo level=$LEVEL']
    env:
    - name: LEVEL
      valueFrom: { configMapKeyRef: ${ref} }
`;

const volumePod = `apiVersion: v1
kind: Pod
metadata:
  name: volpod
  labels: { tier: web }
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: busybox
    command: ['sh', '-c', 'cat /etc/config/game.properties; cat /etc/secret/password; ls /etc/config; cat /etc/podinfo/labels; cat /var/run/secrets/kubernetes.io/serviceaccount/namespace; echo; ls /cache; echo x > /cache/f; cat /cache/f; cat /etc/nope; exit 0']
    volumeMounts:
    - { name: config, mountPath: /etc/config }
    - { name: secret, mountPath: /etc/secret }
    - { name: podinfo, mountPath: /etc/podinfo }
    - { name: cache, mountPath: /cache }
  volumes:
  - name: config
    configMap: { name: game }
  - name: secret
    secret: { secretName: db }
  - name: podinfo
    downwardAPI:
      items:
      - { path: labels, fieldRef: { fieldPath: metadata.labels } }
  - name: cache
    emptyDir: {}
`;

const missingVolumePod = `apiVersion: v1
kind: Pod
metadata:
  name: nomount
spec:
  containers:
  - name: main
    image: nginx
    volumeMounts:
    - { name: config, mountPath: /etc/config }
  volumes:
  - name: config
    configMap: { name: absent }
`;

const livenessPod = `apiVersion: v1
kind: Pod
metadata:
  name: liveness-exec
spec:
  containers:
  - name: liveness
    image: busybox
    args: ['/bin/sh', '-c', 'touch /tmp/healthy; sleep 6; rm -f /tmp/healthy; sleep 600']
    livenessProbe:
      exec:
        command: ['cat', '/tmp/healthy']
      initialDelaySeconds: 2
      periodSeconds: 2
`;

const readinessPod = (name: string, port: number) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: { app: probed }
spec:
  containers:
  - name: web
    image: nginx
    readinessProbe:
      httpGet: { path: /, port: ${port} }
      periodSeconds: 2
`;

const oomPod = `apiVersion: v1
kind: Pod
metadata:
  name: memory-demo
spec:
  containers:
  - name: memory-demo-ctr
    image: polinux/stress
    resources:
      requests: { memory: 50Mi }
      limits: { memory: 100Mi }
    command: ['stress']
    args: ['--vm', '1', '--vm-bytes', '250M', '--vm-hang', '1']
`;

export function kubeletScenario(label: string, open: () => Promise<Entry>) {
describe(`the kubelet honours the pod spec (${label})`, () => {
  let server: Entry;
  let kubectl: Kubectl;
  const apply = (yaml: string) => kubectl.ok(['apply', '-f', '-'], { input: yaml });
  const completed = (name: string) => until(kubectl, ['get', 'pod', name, '--no-headers'], (out) => /\sCompleted\s/.test(out), `${name} Completed`);

  before(async () => {
    server = await open();
    kubectl = new Kubectl(await server.kubeconfig());
    await kubectl.ok(['create', 'configmap', 'app-config', '--from-literal=MODE=prod']);
    await kubectl.ok(['create', 'secret', 'generic', 'db', '--from-literal=DB_USER=admin', '--from-literal=password=s3cr3t']);
    await kubectl.ok(['create', 'configmap', 'game', '--from-literal=game.properties=lives=3', '--from-literal=ui.properties=color=blue']);
  });
  after(() => server.close());

  it('env: configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef, envFrom with prefix, $(VAR) and the service variables', async () => {
    await apply(envPod);
    await completed('envpod');
    const host = (await kubectl.ok(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    assert.equal(await kubectl.ok(['logs', 'envpod']), `prod admin envpod default node01 64 250 hello-prod prod env\n${host} 443\nprod\n`);
  });

  it('a missing ConfigMap or key: CreateContainerConfigError with the kubelet\'s message, fixed once the ConfigMap appears', async () => {
    await apply(waitingPod('needs-config', '{ name: later, key: level }'));
    await until(kubectl, ['get', 'pod', 'needs-config', '--no-headers'], (out) => /^needs-config\s+0\/1\s+CreateContainerConfigError\s+0\s/.test(out), 'CreateContainerConfigError');
    // The kubelet writes the pod's status, then its Failed event: a describe between the two has no event yet.
    const described = await until(kubectl, ['describe', 'pod', 'needs-config'], (out) => /Error: configmap "later" not found/.test(out), 'the Failed event');
    assert.match(described, /^\s+State:\s+Waiting\n\s+Reason:\s+CreateContainerConfigError$/m);
    assert.match(described, /Warning\s+Failed\s+\S+\s+kubelet\s+(spec\.containers\{main\}: )?Error: configmap "later" not found/);
    const events = await kubectl.ok(['get', 'events', '--field-selector', 'involvedObject.name=needs-config']);
    assert.match(events, /Warning\s+Failed\s+pod\/needs-config\s+Error: configmap "later" not found/);

    await apply(waitingPod('needs-key', '{ name: app-config, key: level }'));
    await until(kubectl, ['get', 'pod', 'needs-key', '--no-headers'], (out) => /CreateContainerConfigError/.test(out), 'needs-key waiting');
    await until(kubectl, ['describe', 'pod', 'needs-key'], (out) => /Error: couldn't find key level in ConfigMap default\/app-config/.test(out), 'the Failed event for the missing key');

    await kubectl.ok(['create', 'configmap', 'later', '--from-literal=level=9']);
    await completed('needs-config');
    assert.equal(await kubectl.ok(['logs', 'needs-config']), 'level=9\n');
  });

  it('volumes: configMap, secret, downwardAPI, the token volume and emptyDir are files the container reads', async () => {
    await apply(volumePod);
    await completed('volpod');
    assert.equal(await kubectl.ok(['logs', 'volpod']), [
      'lives=3', 's3cr3t', 'game.properties', 'ui.properties', 'tier="web"', 'default', '', 'x',
      "cat: can't open '/etc/nope': No such file or directory", '',
    ].join('\n'));
    await apply(missingVolumePod);
    const described = await until(kubectl, ['describe', 'pod', 'nomount'], (out) => /FailedMount/.test(out), 'FailedMount');
    // The age column reads `5s`, or `0s (x2 over 2s)` once the kubelet has retried the mount.
    assert.match(eventsOf(described), /Warning\s+FailedMount\s+\S+(?: \(x\d+ over \S+\))?\s+kubelet\s+MountVolume\.SetUp failed for volume "config" : configmap "absent" not found/);
    assert.match(await kubectl.ok(['get', 'pod', 'nomount', '--no-headers']), /^nomount\s+0\/1\s+ContainerCreating\s+0\s/);
  });

  it('a liveness probe that fails restarts the container, with the kubelet\'s events', async () => {
    await apply(livenessPod);
    await until(kubectl, ['get', 'pod', 'liveness-exec', '--no-headers'], (out) => /^liveness-exec\s+1\/1\s+Running\s+[1-9]/.test(out), 'a restart');
    // The kubelet records a transition's events once its status is written, as kube's event
    // recorder sends them: after the restart shows, not necessarily at once.
    const described = await until(kubectl, ['describe', 'pod', 'liveness-exec'], (out) => /Normal\s+Killing\s/.test(out), 'the Killing event');
    assert.match(eventsOf(described), /Warning\s+Unhealthy\s+.*kubelet\s+(spec\.containers\{liveness\}: )?Liveness probe failed: cat: can't open '\/tmp\/healthy': No such file or directory/);
    assert.match(described, /Normal\s+Killing\s+.*kubelet\s+(spec\.containers\{liveness\}: )?Container liveness failed liveness probe, will be restarted/);
    assert.match(described, /^\s+Last State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+137$/m);
    assert.match(described, /^\s+Liveness:\s+exec \[cat \/tmp\/healthy\] delay=2s timeout=1s period=2s #success=1 #failure=3$/m);
  });

  it('readiness: a failing probe keeps the pod unready and out of the endpoints; a passing one makes it ready', async () => {
    await apply(readinessPod('ready-web', 80));
    await apply(readinessPod('unready-web', 8080));
    await kubectl.ok(['create', 'service', 'clusterip', 'probed', '--tcp=80:80']);
    await kubectl.ok(['label', 'svc', 'probed', 'app=probed', '--overwrite']);
    await kubectl.ok(['set', 'selector', 'svc', 'probed', 'app=probed']);
    await until(kubectl, ['get', 'pod', 'ready-web', '--no-headers'], (out) => /^ready-web\s+1\/1\s+Running\s+0\s/.test(out), 'ready-web ready');
    const described = await until(kubectl, ['describe', 'pod', 'unready-web'], (out) => /Readiness probe failed/.test(out), 'readiness failure event');
    const ip = (await kubectl.ok(['get', 'pod', 'unready-web', '-o', 'jsonpath={.status.podIP}'])).trim();
    assert.match(described, new RegExp(`Warning\\s+Unhealthy\\s+.*kubelet\\s+(spec\\.containers\\{web\\}: )?Readiness probe failed: Get "http://${ip.replace(/\./g, '\\.')}:8080/": dial tcp ${ip.replace(/\./g, '\\.')}:8080: connect: connection refused`));
    assert.match(described, /^\s+Ready\s+False\s*$/m);
    assert.match(await kubectl.ok(['get', 'pod', 'unready-web', '--no-headers']), /^unready-web\s+0\/1\s+Running\s+0\s/);
    const ep = parse(await until(kubectl, ['get', 'endpoints', 'probed', '-o', 'yaml'], (out) => /notReadyAddresses/.test(out) && /- addresses:/.test(out), 'endpoints of probed'));
    assert.deepEqual(ep.subsets[0].addresses.map((a: { targetRef: { name: string } }) => a.targetRef.name), ['ready-web']);
    assert.deepEqual(ep.subsets[0].notReadyAddresses.map((a: { targetRef: { name: string } }) => a.targetRef.name), ['unready-web']);
  });

  it('a memory limit below what the program uses: OOMKilled, exit code 137, then CrashLoopBackOff', async () => {
    await apply(oomPod);
    await until(kubectl, ['get', 'pod', 'memory-demo', '--no-headers'], (out) => /^memory-demo\s+0\/1\s+(OOMKilled|CrashLoopBackOff)\s+[1-9]/.test(out), 'an OOM kill and a restart');
    const crash = await until(kubectl, ['get', 'pod', 'memory-demo', '--no-headers'], (out) => /CrashLoopBackOff/.test(out), 'CrashLoopBackOff');
    assert.match(crash, /^memory-demo\s+0\/1\s+CrashLoopBackOff\s+\d+ \(\S+ ago\)\s+\S+\n$/);
    const described = await kubectl.ok(['describe', 'pod', 'memory-demo']);
    assert.match(described, /^\s+Last State:\s+Terminated\n\s+Reason:\s+OOMKilled\n\s+Exit Code:\s+137$/m);
    assert.match(described, /^\s+Limits:\n\s+memory:\s+100Mi$/m);
  });
});
}
