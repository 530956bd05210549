import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { customJson, kinds, packages } from '../src/schema/protobufGenerated.ts';
import { wireMessage } from '../src/schema/protobufSchema.ts';
import { customTypes } from '../src/server/protobufCustom.ts';
import { ApiError } from '../src/apimachinery/errors.ts';
import { decodeKubernetesProtobuf } from '../src/server/protobuf.ts';
import { kubeconfig } from '../src/tenancy/kubeconfig.ts';
import { Kubectl } from '../harness/kubectl.ts';
import { startNodeServer, testTls, type TestServer } from '../harness/server.ts';

/**
 * The protobuf decoder, judged by kubectl v1.35 itself: a recorder captures the bytes
 * kubectl's typed commands POST, and the decoded object must equal what the same
 * command prints with `--dry-run=client -o json` (kubectl's own JSON of that object).
 */

interface Recorded { method: string; path: string; contentType: string; body: Buffer }

const resource = (name: string, kind: string) => ({ name, singularName: name.replace(/s$/, ''), namespaced: true, kind, verbs: ['create', 'get', 'list'] });
/** Just enough legacy discovery for `create role --resource=…` and `auth can-i` to map their resources. */
const discovery: Record<string, unknown> = {
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
  '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } }] },
  '/api/v1': { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1', resources: [resource('pods', 'Pod'), { ...resource('pods/log', 'Pod'), singularName: '' }] },
  '/apis/apps/v1': { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'apps/v1', resources: [resource('deployments', 'Deployment')] },
};

/** What the review and token kinds answer, so kubectl finishes the command normally. */
const replyStatus: Record<string, unknown> = {
  SelfSubjectAccessReview: { allowed: true },
  SelfSubjectRulesReview: { resourceRules: [], nonResourceRules: [], incomplete: false },
  SelfSubjectReview: { userInfo: { username: 'tester', groups: ['system:authenticated'] } },
  TokenRequest: { token: 'recorded', expirationTimestamp: '2030-01-01T00:00:00Z' },
};

/** A tiny HTTPS API server: answers the discovery kubectl asks for and records every POST. */
async function startRecorder(): Promise<{ url: string; posts: Recorded[]; close(): Promise<void> }> {
  const posts: Recorded[] = [];
  const tls = await testTls();
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? '/';
      const send = (code: number, value: unknown) => {
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.method === 'POST') {
        posts.push({ method: 'POST', path, contentType: req.headers['content-type'] ?? '', body });
        try {
          const { apiVersion, kind, object } = decodeKubernetesProtobuf(body);
          const status = replyStatus[kind] ?? object.status;
          send(201, { apiVersion, kind, ...object, status });
        } catch (err) {
          send(400, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 400, reason: 'BadRequest', message: `recorder could not decode: ${(err as Error).message}` });
        }
        return;
      }
      const doc = discovery[path.split('?')[0]];
      if (doc) return send(200, doc);
      send(404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/**
 * Go's JSON writes `null` for a zero metav1.Time (creationTimestamp) and for a nil slice
 * without omitempty (a ClusterRole's rules); protobuf has no null, so the wire carries
 * nothing and the decoder leaves the field out. That is the only normalisation.
 */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNulls(v);
  return out;
}

/** `--dry-run=client -o json` must go before a `--` that starts the container command. */
function dryRun(args: string[]): string[] {
  const dash = args.indexOf('--');
  const flags = ['--dry-run=client', '-o', 'json'];
  return dash < 0 ? [...args, ...flags] : [...args.slice(0, dash), ...flags, ...args.slice(dash)];
}

describe('protobuf decoding of the bytes kubectl v1.35 sends', () => {
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  let kubectl: Kubectl;
  const files = mkdtempSync(join(tmpdir(), 'protobuf-test-'));

  before(async () => {
    recorder = await startRecorder();
    kubectl = new Kubectl(kubeconfig({ server: recorder.url, cluster: 'recorder', user: 'tester', token: 'any-token', insecure: true }));
    const tls = await testTls();
    writeFileSync(join(files, 'tls.crt'), tls.cert);
    writeFileSync(join(files, 'tls.key'), tls.key);
  });
  after(() => recorder.close());

  /** Runs a kubectl command against the recorder and returns what it POSTed, decoded. */
  async function capture(args: string[]): Promise<{ post: Recorded; decoded: Record<string, unknown> }> {
    const before = recorder.posts.length;
    await kubectl.ok(args);
    assert.equal(recorder.posts.length, before + 1, `one POST expected from kubectl ${args.join(' ')}`);
    const post = recorder.posts[before];
    assert.equal(post.contentType, 'application/vnd.kubernetes.protobuf');
    const { apiVersion, kind, object } = decodeKubernetesProtobuf(post.body);
    return { post, decoded: { apiVersion, kind, ...object } };
  }

  const goldens: Array<{ args: string[]; path: string }> = [
    { args: ['create', 'namespace', 'x'], path: '/api/v1/namespaces' },
    { args: ['create', 'configmap', 'c', '--from-literal=a=b', '--from-literal=empty='], path: '/api/v1/namespaces/default/configmaps' },
    { args: ['create', 'secret', 'generic', 's', '--from-literal=p=q', '--from-literal=unicode=h\u00e9llo \u2713'], path: '/api/v1/namespaces/default/secrets' },
    { args: ['create', 'secret', 'docker-registry', 'reg', '--docker-server=r.example.com', '--docker-username=u', '--docker-password=p'], path: '/api/v1/namespaces/default/secrets' },
    { args: ['create', 'secret', 'tls', 'tls', `--cert=${join(files, 'tls.crt')}`, `--key=${join(files, 'tls.key')}`], path: '/api/v1/namespaces/default/secrets' },
    { args: ['create', 'deployment', 'web', '--image=nginx', '--replicas=2'], path: '/apis/apps/v1/namespaces/default/deployments' },
    // replicas 0 is a set pointer: it must stay 0, not vanish and default to 1
    { args: ['create', 'deployment', 'idle', '--image=busybox', '--replicas=0', '--port=8080', '--', 'sleep', '3600'], path: '/apis/apps/v1/namespaces/default/deployments' },
    { args: ['create', 'deployment', 'multi', '--image=nginx', '--image=busybox:1.36'], path: '/apis/apps/v1/namespaces/default/deployments' },
    { args: ['create', 'service', 'clusterip', 's', '--tcp=80:8080'], path: '/api/v1/namespaces/default/services' },
    { args: ['create', 'service', 'clusterip', 'headless', '--clusterip=None'], path: '/api/v1/namespaces/default/services' },
    { args: ['create', 'service', 'nodeport', 'np', '--tcp=80:http', '--node-port=30080'], path: '/api/v1/namespaces/default/services' },
    { args: ['create', 'service', 'loadbalancer', 'lb', '--tcp=443:8443'], path: '/api/v1/namespaces/default/services' },
    { args: ['create', 'service', 'externalname', 'ext', '--external-name=example.com'], path: '/api/v1/namespaces/default/services' },
    { args: ['create', 'serviceaccount', 'sa'], path: '/api/v1/namespaces/default/serviceaccounts' },
    { args: ['create', 'job', 'j', '--image=busybox', '--', 'echo', 'hi'], path: '/apis/batch/v1/namespaces/default/jobs' },
    { args: ['create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/1 * * * *', '--restart=OnFailure', '--', 'date'], path: '/apis/batch/v1/namespaces/default/cronjobs' },
    { args: ['create', 'role', 'r', '--verb=get', '--resource=pods'], path: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles' },
    { args: ['create', 'role', 'r2', '--verb=get,list,watch', '--resource=pods,deployments.apps,pods/log', '--resource-name=a', '--resource-name=b'], path: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles' },
    { args: ['create', 'clusterrole', 'cr', '--verb=get', '--non-resource-url=/logs/*'], path: '/apis/rbac.authorization.k8s.io/v1/clusterroles' },
    { args: ['create', 'clusterrole', 'agg', '--aggregation-rule=rbac.example.com/aggregate-to-monitoring=true'], path: '/apis/rbac.authorization.k8s.io/v1/clusterroles' },
    { args: ['create', 'rolebinding', 'rb', '--role=r', '--user=bob'], path: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings' },
    { args: ['create', 'rolebinding', 'rb2', '--clusterrole=view', '--user=bob', '--group=devs', '--serviceaccount=default:sa'], path: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings' },
    { args: ['create', 'clusterrolebinding', 'crb', '--clusterrole=cr', '--user=alice'], path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings' },
    { args: ['create', 'quota', 'q', '--hard=pods=10'], path: '/api/v1/namespaces/default/resourcequotas' },
    { args: ['create', 'quota', 'q2', '--hard=cpu=1500m,memory=1Gi,requests.storage=10Gi', '--scopes=BestEffort'], path: '/api/v1/namespaces/default/resourcequotas' },
    { args: ['create', 'priorityclass', 'high', '--value=1000', '--description=important', '--preemption-policy=Never'], path: '/apis/scheduling.k8s.io/v1/priorityclasses' },
    { args: ['create', 'priorityclass', 'zero', '--value=0', '--global-default=true'], path: '/apis/scheduling.k8s.io/v1/priorityclasses' },
    { args: ['create', 'poddisruptionbudget', 'pdb', '--selector=app=web', '--min-available=50%'], path: '/apis/policy/v1/namespaces/default/poddisruptionbudgets' },
    { args: ['create', 'poddisruptionbudget', 'pdb2', '--selector=app=web', '--max-unavailable=1'], path: '/apis/policy/v1/namespaces/default/poddisruptionbudgets' },
    { args: ['create', 'ingress', 'ing', '--class=nginx', '--rule=foo.com/bar*=svc:8080,tls=my-cert', '--rule=/=other:http', '--annotation=a=b', '--default-backend=defsvc:80'], path: '/apis/networking.k8s.io/v1/namespaces/default/ingresses' },
  ];

  for (const { args, path } of goldens) {
    it(`kubectl ${args.join(' ')}`, async () => {
      const { post, decoded } = await capture(args);
      assert.equal(post.path.split('?')[0], path);
      const expected = JSON.parse(await kubectl.ok(dryRun(args)));
      assert.deepEqual(decoded, withoutNulls(expected));
    });
  }

  it('kubectl create token sends a TokenRequest', async () => {
    const { post, decoded } = await capture(['create', 'token', 'sa', '--duration=1h', '--audience=api', '--audience=vault']);
    assert.equal(post.path.split('?')[0], '/api/v1/namespaces/default/serviceaccounts/sa/token');
    // Go's JSON would add status.expirationTimestamp: null (a zero Time), which the wire cannot carry
    assert.deepEqual(decoded, {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {},
      spec: { audiences: ['api', 'vault'], expirationSeconds: 3600 }, status: { token: '' },
    });
  });

  it('kubectl auth can-i sends a SelfSubjectAccessReview', async () => {
    const resource = await capture(['auth', 'can-i', 'get', 'pods']);
    assert.equal(resource.post.path.split('?')[0], '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews');
    // kubectl's object, written as Go's JSON would print it (status.allowed has no omitempty)
    assert.deepEqual(resource.decoded, {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {},
      spec: { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } },
      status: { allowed: false },
    });
    const nonResource = await capture(['auth', 'can-i', 'get', '/logs']);
    assert.deepEqual(nonResource.decoded.spec, { nonResourceAttributes: { path: '/logs', verb: 'get' } });
  });

  it('kubectl auth can-i --list and auth whoami send their reviews', async () => {
    const rules = await capture(['auth', 'can-i', '--list', '-n', 'kube-system']);
    assert.equal(rules.post.path.split('?')[0], '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews');
    // status.incomplete has no omitempty, so Go's JSON shows it too
    assert.deepEqual(rules.decoded, {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', metadata: {},
      spec: { namespace: 'kube-system' }, status: { incomplete: false },
    });
    const whoami = await capture(['auth', 'whoami']);
    assert.equal(whoami.post.path.split('?')[0], '/apis/authentication.k8s.io/v1/selfsubjectreviews');
    assert.deepEqual(whoami.decoded, { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {}, status: { userInfo: {} } });
  });

  it('every truncation of a recorded body is a 400, never a crash', () => {
    const body = recorder.posts.find((p) => p.path.includes('/deployments'))!.body;
    // kubectl ends the envelope with empty contentEncoding (3) and contentType (4) fields
    assert.deepEqual([...body.subarray(-4)], [0x1a, 0x00, 0x22, 0x00]);
    // cuts on an envelope field boundary leave a whole (emptier) envelope: after typeMeta, raw, contentEncoding
    const boundaries = [4 + 2 + body[5], body.length - 4, body.length - 2];
    for (let cut = 0; cut < body.length; cut++) {
      let decoded = false;
      try {
        decodeKubernetesProtobuf(body.subarray(0, cut));
        decoded = true;
      } catch (err) {
        assert.ok(err instanceof ApiError && err.code === 400, `cut at ${cut}: ${(err as Error).message}`);
      }
      assert.equal(decoded, boundaries.includes(cut), `a body cut at ${cut} of ${body.length}`);
    }
  });
});

/** A minimal protobuf writer, enough to build the bodies kubectl would never send. */
const pb = {
  varint(n: number | bigint): number[] {
    let v = BigInt.asUintN(64, BigInt(n));
    const out: number[] = [];
    do {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      out.push(v ? b | 0x80 : b);
    } while (v);
    return out;
  },
  tag: (field: number, wire: number) => pb.varint(field * 8 + wire),
  int: (field: number, n: number | bigint) => [...pb.tag(field, 0), ...pb.varint(n)],
  bytes(field: number, value: string | number[]): number[] {
    const bytes = typeof value === 'string' ? [...new TextEncoder().encode(value)] : value;
    return [...pb.tag(field, 2), ...pb.varint(bytes.length), ...bytes];
  },
  entry: (field: number, key: string, value: string | number[]) => pb.bytes(field, [...pb.bytes(1, key), ...pb.bytes(2, value)]),
  envelope: (apiVersion: string, kind: string, raw: number[], extra: number[] = []) =>
    Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...pb.bytes(1, [...pb.bytes(1, apiVersion), ...pb.bytes(2, kind)]), ...pb.bytes(2, raw), ...extra]),
};

const decode = (apiVersion: string, kind: string, raw: number[]) => decodeKubernetesProtobuf(pb.envelope(apiVersion, kind, raw)).object;

function assertStatus(fn: () => unknown, code: number, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ApiError, `expected an ApiError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.toStatus().reason, code === 400 ? 'BadRequest' : 'UnsupportedMediaType');
    assert.match(err.message, message);
    return true;
  });
}

describe('protobuf schema table', () => {
  it('is closed: every referenced message and every kind is in the generated table', () => {
    for (const [pkg, messages] of Object.entries(packages)) {
      for (const name of Object.keys(messages)) {
        const message = wireMessage(`${pkg}.${name}`);
        assert.ok(message, `${pkg}.${name} does not compile`);
        const names = new Set<string>();
        for (const field of message.fields) {
          assert.ok(field.scalar || wireMessage(field.type), `${pkg}.${name}.${field.json} refers to undeclared ${field.type}`);
          assert.ok(Number.isInteger(field.number) && field.number > 0, `${pkg}.${name}: bad field number ${field.number}`);
          assert.ok(!names.has(field.json), `${pkg}.${name}: ${field.json} declared twice`);
          names.add(field.json);
        }
      }
    }
    for (const byKind of Object.values(kinds)) for (const message of Object.values(byKind)) assert.ok(wireMessage(message), `kind message ${message} missing`);
    assert.deepEqual(Object.keys(customTypes).sort(), [...customJson].sort());
  });
});

describe('protobuf decoding of values kubectl does not exercise', () => {
  it('keeps set pointers at zero and drops zero omitempty scalars', () => {
    const obj = decode('apps/v1', 'Deployment', [
      ...pb.bytes(1, [...pb.bytes(1, 'web'), ...pb.bytes(2, ''), ...pb.int(7, 0), ...pb.bytes(8, [...pb.int(1, 1700000000)]), ...pb.bytes(9, [])]),
      ...pb.bytes(2, [...pb.int(1, 0), ...pb.int(5, 0), ...pb.int(7, 0), ...pb.int(6, 10)]),
    ]);
    assert.deepEqual(obj, { metadata: { name: 'web', creationTimestamp: '2023-11-14T22:13:20Z' }, spec: { replicas: 0, revisionHistoryLimit: 10 } });
  });

  it('reads negative and large integers exactly', () => {
    const obj = decode('v1', 'Pod', [
      ...pb.bytes(1, [...pb.int(10, -1)]),
      ...pb.bytes(2, [...pb.int(5, 2 ** 40), ...pb.bytes(2, [...pb.bytes(1, 'c'), ...pb.bytes(6, [...pb.int(3, -80)])])]),
    ]);
    assert.deepEqual(obj, { metadata: { deletionGracePeriodSeconds: -1 }, spec: { activeDeadlineSeconds: 2 ** 40, containers: [{ name: 'c', ports: [{ containerPort: -80 }] }] } });
  });

  it('accepts repeated varints packed and unpacked', () => {
    const groups = (encoded: number[]) => (decode('v1', 'Pod', [...pb.bytes(2, [...pb.bytes(14, encoded)])]).spec as { securityContext: unknown }).securityContext;
    assert.deepEqual(groups([...pb.int(4, 1), ...pb.int(4, 2), ...pb.int(4, 3)]), { supplementalGroups: [1, 2, 3] });
    assert.deepEqual(groups(pb.bytes(4, [1, 2, 3])), { supplementalGroups: [1, 2, 3] });
  });

  it('turns apimachinery types into their JSON forms', () => {
    const event = decode('v1', 'Event', [...pb.bytes(1, [...pb.bytes(1, 'e')]), ...pb.bytes(10, [...pb.int(1, 1700000000), ...pb.int(2, 123456789)])]);
    assert.equal(event.eventTime, '2023-11-14T22:13:20.123456Z');
    const port = (targetPort: number[]) => ((decode('v1', 'Service', [...pb.bytes(2, [...pb.bytes(1, [...pb.int(3, 80), ...pb.bytes(4, targetPort)])])]).spec as { ports: Array<{ targetPort: unknown }> }).ports[0].targetPort);
    assert.equal(port([...pb.int(1, 0), ...pb.int(2, 8080)]), 8080);
    assert.equal(port([...pb.int(1, 1), ...pb.bytes(3, 'http')]), 'http');
    assertStatus(() => port([...pb.int(1, 2)]), 400, /Service\.spec\.ports\.targetPort: IntOrString type 2/);
    const secret = decode('v1', 'Secret', [...pb.entry(2, 'bin', [0, 255, 128]), ...pb.entry(2, 'none', [])]);
    assert.deepEqual(secret.data, { bin: 'AP+A', none: '' });
    const quota = decode('v1', 'ResourceQuota', [...pb.bytes(2, [...pb.entry(1, 'cpu', [...pb.bytes(1, '1500m')]), ...pb.entry(1, 'pods', [])])]);
    assert.deepEqual(quota.spec, { hard: { cpu: '1500m', pods: '0' } });
    const sar = decode('authorization.k8s.io/v1', 'SubjectAccessReview', [...pb.bytes(2, [...pb.entry(5, 'scopes', [...pb.bytes(1, 'a'), ...pb.bytes(1, 'b')])])]);
    assert.deepEqual(sar.spec, { extra: { scopes: ['a', 'b'] } });
    const managed = '{"f:spec":{"f:containers":{"k:{\\"name\\":\\"[web]\\"}":{".":{}}}}}';
    const fields = decode('v1', 'ConfigMap', [...pb.bytes(1, [...pb.bytes(17, [...pb.bytes(1, 'kubectl'), ...pb.bytes(7, [...pb.bytes(1, managed)])])])]);
    assert.deepEqual(fields.metadata, { managedFields: [{ manager: 'kubectl', fieldsV1: JSON.parse(managed) }] });
  });

  it('merges inline (embedded) messages into their parent', () => {
    const pod = decode('v1', 'Pod', [...pb.bytes(2, [...pb.bytes(1, [...pb.bytes(1, 'cfg'), ...pb.bytes(2, [...pb.bytes(19, [...pb.bytes(1, [...pb.bytes(1, 'my-cm')])])])])])]);
    assert.deepEqual(pod.spec, { volumes: [{ name: 'cfg', configMap: { name: 'my-cm' } }] });
  });

  it('makes a map key "__proto__" an own property, as JSON.parse does', () => {
    const obj = decode('v1', 'ConfigMap', [...pb.entry(2, '__proto__', 'x'), ...pb.entry(2, 'a', 'b')]);
    const data = obj.data as Record<string, string>;
    assert.deepEqual(Object.keys(data), ['__proto__', 'a']);
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
  });

  it('skips unknown fields of every wire type', () => {
    const obj = decode('v1', 'Namespace', [...pb.int(90, 1), ...pb.bytes(91, 'x'), ...pb.tag(92, 1), 1, 2, 3, 4, 5, 6, 7, 8, ...pb.tag(93, 5), 1, 2, 3, 4, ...pb.bytes(1, [...pb.bytes(1, 'ns')])]);
    assert.deepEqual(obj, { metadata: { name: 'ns' } });
  });
});

describe('malformed protobuf bodies are 400s, unknown kinds 415s', () => {
  it('wrong or missing magic', () => {
    assertStatus(() => decodeKubernetesProtobuf(new Uint8Array()), 400, /expected prefix \[107 56 115 0\]/);
    assertStatus(() => decodeKubernetesProtobuf(new TextEncoder().encode('{"kind":"Namespace"}')), 400, /does not appear to be a protobuf message/);
  });

  it('wrong wire types name the field', () => {
    assertStatus(() => decode('v1', 'Namespace', pb.int(1, 7)), 400, /at Namespace\.metadata: wire type varint, expected length-delimited/);
    assertStatus(() => decode('v1', 'Namespace', pb.bytes(1, pb.int(1, 7))), 400, /at Namespace\.metadata\.name: wire type varint/);
    assertStatus(() => decode('apps/v1', 'Deployment', pb.bytes(2, pb.bytes(1, 'x'))), 400, /Deployment\.spec\.replicas: wire type length-delimited, expected varint/);
    assertStatus(() => decode('v1', 'Namespace', [...pb.tag(5, 6)]), 400, /unsupported wire type invalid \(6\)/);
    assertStatus(() => decode('v1', 'Namespace', [...pb.tag(5, 3), ...pb.tag(5, 4)]), 400, /unsupported wire type start-group/);
    assertStatus(() => decode('v1', 'Namespace', [0x00, 0x01]), 400, /invalid field number 0/);
  });

  it('absurd lengths and varints', () => {
    const raw = (bytes: number[]) => Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...pb.bytes(1, [...pb.bytes(1, 'v1'), ...pb.bytes(2, 'Namespace')]), ...pb.tag(2, 2), ...bytes]);
    assertStatus(() => decodeKubernetesProtobuf(raw(pb.varint(2 ** 40))), 400, /length ≥ 2\^32 exceeds/);
    assertStatus(() => decodeKubernetesProtobuf(raw(pb.varint(2 ** 31 - 1))), 400, /length 2147483647 exceeds the 0 bytes left/);
    assertStatus(() => decodeKubernetesProtobuf(raw([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])), 400, /varint longer than 10 bytes/);
    assertStatus(() => decode('v1', 'Namespace', [...pb.tag(1, 2), 0xff]), 400, /unexpected end of data inside a varint/);
    assertStatus(() => decode('v1', 'Namespace', [...pb.tag(9, 1), 1, 2]), 400, /unexpected end of data inside a fixed-width field/);
  });

  it('deep nesting: unknown fields are skipped without recursion, raw JSON and groups are bounded', () => {
    let nested: number[] = [];
    for (let i = 0; i < 2000; i++) nested = pb.bytes(99, nested);
    assert.deepEqual(decode('v1', 'Namespace', [...nested, ...pb.bytes(1, pb.bytes(1, 'deep'))]), { metadata: { name: 'deep' } });
    const deepJson = '['.repeat(5000) + ']'.repeat(5000);
    assertStatus(() => decode('v1', 'ConfigMap', pb.bytes(1, pb.bytes(17, pb.bytes(7, pb.bytes(1, deepJson))))), 400, /ConfigMap\.metadata\.managedFields\.fieldsV1: raw JSON nested deeper than 100/);
    const groups = [...Array(10000).fill(pb.tag(7, 3)).flat(), ...Array(10000).fill(pb.tag(7, 4)).flat()];
    assertStatus(() => decode('v1', 'Namespace', groups), 400, /start-group/);
  });

  it('invalid UTF-8, bad JSON and impossible times', () => {
    assertStatus(() => decode('v1', 'Namespace', pb.bytes(1, pb.bytes(1, [0xc3, 0x28]))), 400, /Namespace\.metadata\.name: string is not valid UTF-8/);
    assertStatus(() => decode('v1', 'ConfigMap', pb.bytes(1, pb.bytes(17, pb.bytes(7, pb.bytes(1, '{nope'))))), 400, /raw JSON is not valid/);
    assertStatus(() => decode('v1', 'Namespace', pb.bytes(1, pb.bytes(8, pb.int(1, 2n ** 62n)))), 400, /creationTimestamp: timestamp .* outside years 0001-9999/);
  });

  it('DeleteOptions under any group version, as helm uninstall sends them', () => {
    // client-go's DeleteOptions{PropagationPolicy: Background} for a Deployment and for a CRD
    const raw = [...pb.bytes(4, 'Background')];
    for (const apiVersion of ['v1', 'apps/v1', 'apiextensions.k8s.io/v1', 'meta.k8s.io/v1']) {
      const bytes = pb.envelope(apiVersion, 'DeleteOptions', raw);
      assert.deepEqual(decodeKubernetesProtobuf(bytes), { apiVersion, kind: 'DeleteOptions', object: { propagationPolicy: 'Background' } });
    }
    // framed as client-go's protobuf serializer frames helm's DELETE of a Deployment (empty contentEncoding and contentType written)
    const recorded = Uint8Array.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x18, 0x0a, 0x07, ...Buffer.from('apps/v1'), 0x12, 0x0d, ...Buffer.from('DeleteOptions'), 0x12, 0x0c, 0x22, 0x0a, ...Buffer.from('Background'), 0x1a, 0x00, 0x22, 0x00]);
    assert.deepEqual(decodeKubernetesProtobuf(recorded).object, { propagationPolicy: 'Background' });
  });

  it('unknown or missing kinds', () => {
    assertStatus(() => decode('v1', 'Frobnicator', []), 415, /no protobuf decoding for kind "Frobnicator" in version "v1"; send this object as application\/json/);
    assertStatus(() => decode('apps/v1', 'Namespace', []), 415, /kind "Namespace" in version "apps\/v1"/);
    assertStatus(() => decode('__proto__', 'toString', []), 415, /kind "toString"/);
    assertStatus(() => decode('v1', 'constructor', []), 415, /kind "constructor"/);
    assertStatus(() => decode('', '', []), 400, /does not set apiVersion and kind/);
    assertStatus(() => decodeKubernetesProtobuf(pb.envelope('v1', 'Namespace', [], pb.bytes(3, 'gzip'))), 415, /content encoding "gzip"/);
  });
});

/** POSTs a raw body to the real server the way a protobuf client would. */
async function post(server: TestServer, path: string, body: Uint8Array): Promise<{ status: number; body: Record<string, unknown> }> {
  const token = await server.token();
  const ca = (await testTls()).cert;
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, {
      method: 'POST', ca,
      // The answers are read as JSON here (test/protobuf-kinds.test.ts reads them in protobuf).
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/vnd.kubernetes.protobuf', Accept: 'application/json' },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { try { resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }); } catch (err) { reject(err); } });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('kubectl create (protobuf bodies) against the API server', () => {
  let server: TestServer;
  let kubectl: Kubectl;

  before(async () => {
    server = await startNodeServer();
    kubectl = new Kubectl(await server.kubeconfig());
  });
  after(() => server.close());

  it('creates a namespace, configmap, secret, service and service account that get then shows', async () => {
    assert.equal((await kubectl.ok(['create', 'namespace', 'x'])).trim(), 'namespace/x created');
    assert.equal((await kubectl.ok(['create', 'configmap', 'c', '--from-literal=a=b'])).trim(), 'configmap/c created');
    assert.equal((await kubectl.ok(['create', 'secret', 'generic', 's', '--from-literal=p=q'])).trim(), 'secret/s created');
    assert.equal((await kubectl.ok(['create', 'service', 'clusterip', 's', '--tcp=80:8080'])).trim(), 'service/s created');
    assert.equal((await kubectl.ok(['create', 'serviceaccount', 'sa'])).trim(), 'serviceaccount/sa created');

    assert.match(await kubectl.ok(['get', 'namespace', 'x']), /^x\s+Active\s+\d+s$/m);
    assert.match(await kubectl.ok(['get', 'configmap', 'c']), /^c\s+1\s+\d+s$/m);
    assert.match(await kubectl.ok(['get', 'secret', 's']), /^s\s+Opaque\s+1\s+\d+s$/m);
    assert.match(await kubectl.ok(['get', 'service', 's']), /^s\s+ClusterIP\s+\d+\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+s$/m);
    assert.match(await kubectl.ok(['get', 'serviceaccount', 'sa']), /^sa\s+0\s+\d+s$/m);

    // the decoded values, not just the names, made it into the store
    assert.equal(await kubectl.ok(['get', 'configmap', 'c', '-o', 'jsonpath={.data.a}']), 'b');
    assert.equal(await kubectl.ok(['get', 'secret', 's', '-o', 'jsonpath={.data.p}']), Buffer.from('q').toString('base64'));
    assert.equal(await kubectl.ok(['get', 'service', 's', '-o', 'jsonpath={.spec.ports[0].port}/{.spec.ports[0].targetPort}/{.spec.ports[0].name}/{.spec.selector.app}']), '80/8080/80-8080/s');
  });

  it('a second create is AlreadyExists, as from a real cluster', async () => {
    const again = await kubectl.run(['create', 'configmap', 'c', '--from-literal=a=b']);
    assert.notEqual(again.code, 0);
    assert.equal(again.stderr.trim(), 'error: failed to create configmap: configmaps "c" already exists');
  });

  it('answers malformed and unknown protobuf with a Status, never a 500', async () => {
    const bad = await post(server, '/api/v1/namespaces', Uint8Array.from([0x6b, 0x38, 0x73, 0x00, 0x12, 0x7f]));
    assert.equal(bad.status, 400);
    assert.equal(bad.body.kind, 'Status');
    assert.equal(bad.body.reason, 'BadRequest');
    const unknown = await post(server, '/api/v1/namespaces', pb.envelope('v1', 'Frobnicator', []));
    assert.equal(unknown.status, 415);
    assert.equal(unknown.body.reason, 'UnsupportedMediaType');
    assert.match(String(unknown.body.message), /no protobuf decoding for kind "Frobnicator"/);
    const wrongKind = await post(server, '/api/v1/namespaces', pb.envelope('v1', 'ConfigMap', pb.bytes(1, pb.bytes(1, 'cm'))));
    assert.equal(wrongKind.status, 400);
  });
});
