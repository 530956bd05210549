import assert from 'node:assert/strict';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startNodeServer, type TestServer } from '../harness/server.ts';
import { Kubectl } from '../harness/kubectl.ts';
import { resources } from '../src/registry/resources/index.ts';
import { apiVersionOf, type ResourceDef } from '../src/registry/types.ts';
import { encodeKubernetesProtobuf, protobufMessageOf } from '../src/server/protobufEncode.ts';
import { generate } from '../scripts/gen-protobuf.ts';
import { readFileSync } from 'node:fs';
import { fixtures } from './helpers/protobufFixtures.ts';
import { decodeEnvelope, decodeWatchFrames, ProtoSchema } from './helpers/protoText.ts';
import { freshWorkerCluster, type WorkerTestCluster } from './helpers/sharedWorker.ts';

/**
 * Protobuf both ways for every built-in kind, as a client-go program speaks it
 * (`Content-Type: application/vnd.kubernetes.protobuf`, `Accept: application/vnd.kubernetes.protobuf, *\/*`),
 * against the Node entry. Every answer is decoded by a decoder built from the upstream .proto
 * files in third_party/ (test/helpers/protoText.ts), never by the server's own table, and
 * compared with the JSON the server gives for the same request.
 */

const protobuf = 'application/vnd.kubernetes.protobuf';
const clientGoAccept = `${protobuf}, */*`;
const schema = new ProtoSchema(join(import.meta.dirname, '..', 'third_party'));

interface Answer { status: number; type: string; body: Buffer }

function call(server: { url: string }, token: string, path: string, options: { method?: string; accept?: string; contentType?: string; body?: Uint8Array; untilBookmark?: boolean } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: options.accept ?? clientGoAccept };
    if (options.contentType) headers['Content-Type'] = options.contentType;
    if (options.body) headers['Content-Length'] = String(options.body.length);
    const req = request(`${server.url}${path}`, { method: options.method ?? 'GET', rejectUnauthorized: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      const done = () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(chunks) });
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        // a watch stays open: stop once the initial events' closing bookmark has arrived
        if (options.untilBookmark && Buffer.concat(chunks).includes('k8s.io/initial-events-end')) { done(); req.destroy(); }
      });
      res.on('end', done);
    });
    req.on('error', (err) => (options.untilBookmark ? undefined : reject(err)));
    req.end(options.body);
  });
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
const isEmpty = (v: unknown) => v === null || v === undefined || (Array.isArray(v) && v.length === 0) || (isRecord(v) && Object.keys(v).length === 0);

/** apimachinery's JSON forms, from the upstream messages as decoded (the test's own knowledge of Go's MarshalJSON). */
function jsonForm(value: unknown, path: string): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map((v) => jsonForm(v, path));
  if (!isRecord(value)) return value;
  const keys = Object.keys(value).sort().join(',');
  if (keys === 'nanos,seconds' || keys === 'seconds') {
    const iso = new Date((value.seconds as number) * 1000).toISOString().slice(0, 19);
    const nanos = (value.nanos as number | undefined) ?? 0;
    return { time: iso, nanos };
  }
  if (keys === 'string') return value.string;
  if (keys === 'duration') {
    // metav1.Duration: Go's time.Duration text (whole seconds are all this server writes)
    const total = Math.round((value.duration as number) / 1e9);
    const [h, m, sec] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
    return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${sec}s`;
  }
  if (keys === 'intVal,strVal,type') return value.type === 1 ? value.strVal : value.intVal;
  if (keys === 'Raw' || keys === 'raw') return JSON.parse(Buffer.from(value.Raw as Uint8Array ?? value.raw as Uint8Array).toString('utf8'));
  if (keys === 'items' && /\.extra\b|extra$/.test(path)) return value.items;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonForm(v, `${path}.${k}`)]));
}

const loose = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** A Go embedded struct's field: inside a message-valued field the JSON does not name (embedded in embedded, too). */
function inlined(proto: Json, key: string, json: Json): unknown {
  for (const [k, v] of Object.entries(proto)) {
    if (k in json || !isRecord(v)) continue;
    const alike = Object.keys(v).find((k) => loose(k) === loose(key));
    if (alike) return v[alike];
    const deeper = inlined(v, key, json);
    if (deeper !== undefined) return deeper;
  }
  return undefined;
}

/** Everything the JSON view says is in the protobuf one (embedded structs looked up inside their wrapper field). */
function covers(json: unknown, proto: unknown, path: string, problems: string[]): void {
  if (json === null || json === undefined) return;
  if (isRecord(proto) && 'time' in proto && typeof json === 'string') {
    if (!json.startsWith(String(proto.time))) problems.push(`${path}: ${json} ≠ ${String(proto.time)}`);
    return;
  }
  if (Array.isArray(json)) {
    if (!Array.isArray(proto) || proto.length !== json.length) { problems.push(`${path}: ${json.length} items, protobuf has ${Array.isArray(proto) ? proto.length : typeof proto}`); return; }
    json.forEach((item, i) => covers(item, proto[i], `${path}[${i}]`, problems));
    return;
  }
  if (isRecord(json)) {
    if (json.kind === 'Thing' || (isRecord(proto) && Object.keys(json).length && !Object.keys(proto).length && path.endsWith('raw'))) return;
    if (!isRecord(proto)) { problems.push(`${path}: an object in JSON, ${JSON.stringify(proto)?.slice(0, 80)} in protobuf`); return; }
    for (const [key, value] of Object.entries(json)) {
      if (path === '' && (key === 'kind' || key === 'apiVersion')) continue;
      if (key in proto) { covers(value, proto[key], `${path}.${key}`, problems); continue; }
      // go-to-protobuf's names can differ from the JSON ones in case and punctuation (`Webhooks`, `$ref` → `ref`)
      const alike = Object.keys(proto).find((k) => loose(k) === loose(key));
      if (alike) { covers(value, proto[alike], `${path}.${key}`, problems); continue; }
      const held = inlined(proto, key, json);
      if (held !== undefined) covers(value, held, `${path}.${key}`, problems);
      else if (!isEmpty(value)) problems.push(`${path}.${key} is missing from the protobuf answer`);
    }
    return;
  }
  if (json !== proto) problems.push(`${path}: ${JSON.stringify(json)} in JSON, ${JSON.stringify(proto)} in protobuf`);
}

function assertCovers(json: unknown, proto: unknown, what: string): void {
  const problems: string[] = [];
  covers(json, jsonForm(proto, ''), '', problems);
  assert.deepEqual(problems, [], what);
}

const pathOf = (def: ResourceDef) => `${def.group ? `/apis/${def.group}` : '/api'}/${def.version}/${def.plural}`;

describe('protobuf for every built-in kind, as client-go and kubectl v1.35 speak it (Node entry)', () => {
  let server: TestServer;
  let token: string;
  let kubectl: Kubectl;
  before(async () => {
    server = await startNodeServer();
    token = await server.token();
    kubectl = new Kubectl(await server.kubeconfig());
  });
  after(() => server.close());

  it('the checked-in table is what scripts/gen-protobuf.ts generates from third_party/', async () => {
    assert.equal(await generate(), readFileSync(join(import.meta.dirname, '..', 'src/schema/protobufGenerated.ts'), 'utf8'));
  });

  it('creates every creatable kind from a protobuf body, answered in protobuf', async () => {
    for (const fixture of fixtures()) {
      const { body } = fixture;
      const what = `${fixture.name ?? `${String(body.kind)} ${String((body.metadata as Json).name ?? '')}`}`;
      const message = protobufMessageOf(body);
      assert.ok(message, `${what}: no protobuf message`);
      const bytes = encodeKubernetesProtobuf(body, message);
      // the body itself reads back, through the upstream definitions, as the fixture
      assertCovers(body, decodeEnvelope(schema, bytes).object, `${what}: request body`);
      const answer = await call(server, token, fixture.path, { method: fixture.method ?? 'POST', contentType: protobuf, body: bytes });
      assert.equal(answer.type, protobuf, `${what}: ${answer.body.toString('utf8').slice(0, 300)}`);
      const decoded = decodeEnvelope(schema, answer.body);
      assert.ok(answer.status === 200 || answer.status === 201, `${what}: ${answer.status} ${JSON.stringify(decoded.object).slice(0, 400)}`);
      if (decoded.kind === 'Status') continue; // a Binding is answered with a Success Status, as kube-apiserver answers it
      assert.equal(decoded.kind, body.kind, what);
      // what was sent is what was stored and answered (reviews answer with their status besides)
      assertCovers(body, decoded.object, `${what}: answer`);
    }
  });

  it('lists and gets every built-in kind in protobuf as its JSON says', async () => {
    for (const def of resources.filter((d) => d.verbs.includes('list'))) {
      const path = pathOf(def);
      const pb = await call(server, token, path);
      assert.equal(pb.status, 200, `${path}: ${pb.body.toString('utf8').slice(0, 200)}`);
      assert.equal(pb.type, protobuf, path);
      const list = decodeEnvelope(schema, pb.body);
      assert.equal(list.kind, def.listKind ?? `${def.kind}List`);
      assert.equal(list.apiVersion, apiVersionOf(def));
      const json = JSON.parse((await call(server, token, path, { accept: 'application/json' })).body.toString('utf8'));
      // Metrics are made at each read, stamped with its time (as metrics-server's are): two reads may be a second apart.
      const readTime = def.group === 'metrics.k8s.io'
        ? (item: Json) => ({ ...item, metadata: { ...(item.metadata as Json), creationTimestamp: undefined } })
        : (item: Json) => item;
      assertCovers({ ...json, metadata: { ...json.metadata, resourceVersion: undefined }, items: (json.items as Json[]).map(readTime) }, list.object, `${path} (list)`);
      const first = json.items[0];
      if (!first || !def.verbs.includes('get')) continue;
      const base = `${def.group ? `/apis/${def.group}` : '/api'}/${def.version}`;
      const itemPath = def.namespaced ? `${base}/namespaces/${first.metadata.namespace}/${def.plural}/${first.metadata.name}` : `${path}/${first.metadata.name}`;
      const one = decodeEnvelope(schema, (await call(server, token, itemPath)).body);
      assert.equal(one.kind, def.kind, itemPath);
      assert.equal((one.object.metadata as Json).name, first.metadata.name);
    }
  });

  it('watches every kind in protobuf frames: initial ADDED events, then the bookmark that ends them', async () => {
    for (const def of resources.filter((d) => d.verbs.includes('watch'))) {
      const path = pathOf(def);
      const count = (JSON.parse((await call(server, token, path, { accept: 'application/json' })).body.toString('utf8')).items as unknown[]).length;
      const watch = await call(server, token, `${path}?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan`, { untilBookmark: true });
      assert.equal(watch.type, `${protobuf};stream=watch`, path);
      const events = decodeWatchFrames(schema, watch.body);
      assert.deepEqual(events.map((e) => e.type), [...Array(count).fill('ADDED'), 'BOOKMARK'], path);
      for (const e of events) assert.equal(e.kind, def.kind, path);
    }
  });

  it('a watch frame per change: MODIFIED and DELETED of a ConfigMap', async () => {
    const path = '/api/v1/namespaces/default/configmaps';
    const list = JSON.parse((await call(server, token, path, { accept: 'application/json' })).body.toString('utf8'));
    const watching = call(server, token, `${path}?watch=true&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=2`);
    await new Promise((r) => setTimeout(r, 100));
    await call(server, token, `${path}/pb-cm`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: Buffer.from('{"data":{"a":"c"}}') });
    await call(server, token, `${path}/pb-cm`, { method: 'DELETE' });
    const events = decodeWatchFrames(schema, (await watching).body);
    assert.deepEqual(events.map((e) => [e.type, (e.object.metadata as Json).name, (e.object.data as Json | undefined)?.a]), [['MODIFIED', 'pb-cm', 'c'], ['DELETED', 'pb-cm', 'c']]);
  });

  it('errors are protobuf Status objects; a malformed body is a 400, never a 500', async () => {
    const missing = await call(server, token, '/api/v1/namespaces/default/pods/nope');
    assert.equal(missing.status, 404);
    const status = decodeEnvelope(schema, missing.body);
    assert.deepEqual([status.kind, status.object.reason, status.object.code, status.object.message], ['Status', 'NotFound', 404, 'pods "nope" not found']);
    const bad = await call(server, token, '/api/v1/namespaces', { method: 'POST', contentType: protobuf, body: Uint8Array.from([0x6b, 0x38, 0x73, 0x00, 0x12, 0x7f]) });
    assert.equal(bad.status, 400);
    assert.equal(decodeEnvelope(schema, bad.body).object.reason, 'BadRequest');
    const unauthorized = await call(server, 'not-a-token', '/api/v1/pods');
    assert.equal(decodeEnvelope(schema, unauthorized.body).object.code, 401);
  });

  it('DeleteOptions in protobuf, as helm uninstall and client-go deletes send them', async () => {
    const options = { apiVersion: 'apps/v1', kind: 'DeleteOptions', propagationPolicy: 'Background', gracePeriodSeconds: 0 };
    const body = encodeKubernetesProtobuf(options, protobufMessageOf(options)!);
    const answer = await call(server, token, '/apis/apps/v1/namespaces/default/deployments/pb-deploy', { method: 'DELETE', contentType: protobuf, body });
    const status = decodeEnvelope(schema, answer.body);
    assert.equal(answer.status, 200, JSON.stringify(status.object));
    assert.deepEqual([status.kind, status.object.status], ['Status', 'Success']);
  });

  it('custom resources are JSON only: a protobuf-first Accept gets JSON, a protobuf-only one 406', async () => {
    const path = '/apis/pb.example.com/v1/namespaces/default/things';
    const created = await call(server, token, path, { method: 'POST', contentType: 'application/json', body: Buffer.from(JSON.stringify({ apiVersion: 'pb.example.com/v1', kind: 'Thing', metadata: { name: 't' }, spec: { size: 3 } })) });
    assert.equal(created.status, 201, created.body.toString('utf8'));
    assert.equal(created.type, 'application/json');
    const onlyProtobuf = await call(server, token, path, { accept: protobuf });
    assert.equal(onlyProtobuf.status, 406);
    assert.equal(JSON.parse(onlyProtobuf.body.toString('utf8')).reason, 'NotAcceptable');
  });

  it('/openapi/v2 in protobuf is the JSON document in gnostic\'s Document message', async () => {
    const pb = await call(server, token, '/openapi/v2', { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' });
    assert.equal(pb.type, 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    const doc = schema.decode('openapi.v2.Document', pb.body);
    const json = JSON.parse((await call(server, token, '/openapi/v2', { accept: 'application/json' })).body.toString('utf8'));
    const definitions = (doc.definitions as { additional_properties: Array<{ name: string; value: Json }> }).additional_properties;
    assert.deepEqual(definitions.map((d) => d.name), Object.keys(json.definitions));
    const review = definitions.find((d) => d.name === 'io.k8s.api.authentication.v1.TokenReview')!.value;
    const gvk = (review.vendor_extension as Array<{ name: string; value: { yaml: string } }>).find((e) => e.name === 'x-kubernetes-group-version-kind')!;
    assert.deepEqual(JSON.parse(gvk.value.yaml), [{ group: 'authentication.k8s.io', kind: 'TokenReview', version: 'v1' }]);
    assert.equal((doc.paths as { path: unknown[] }).path.length, Object.keys(json.paths).length);
  });

  // kubectl v1.35 itself, against protobuf /openapi/v2
  it('create -f validates a TokenReview and a SelfSubjectReview (no --validate=false)', async () => {
    const review = JSON.parse(await kubectl.ok(['create', '-f', '-', '-o', 'json'], { input: 'apiVersion: authentication.k8s.io/v1\nkind: TokenReview\nspec:\n  token: not-a-token\n' }));
    assert.equal(review.status.authenticated, undefined);
    assert.match(review.status.error, /invalid bearer token/);
    const self = JSON.parse(await kubectl.ok(['create', '-f', '-', '-o', 'json'], { input: 'apiVersion: authentication.k8s.io/v1\nkind: SelfSubjectReview\n' }));
    assert.equal(self.status.userInfo.username, 'kubernetes-admin');
  });

  it('an unknown kind gets kubectl\'s own message; a field the v2 schema lacks is refused by kubectl\'s own validation', async () => {
    const unknown = await kubectl.run(['apply', '-f', '-'], { input: 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n' });
    assert.equal(unknown.stderr.trim(), 'error: resource mapping not found for name: "w" namespace: "" from "STDIN": no matches for kind "Widget" in version "example.com/v1"\nensure CRDs are installed first');
    const typo = await kubectl.run(['create', '-f', '-'], { input: 'apiVersion: authentication.k8s.io/v1\nkind: TokenReview\nspec:\n  tokn: x\n' });
    assert.equal(typo.stderr.trim(), 'error: error validating "STDIN": error validating data: ValidationError(TokenReview.spec): unknown field "tokn" in io.k8s.api.authentication.v1.TokenReviewSpec; if you choose to ignore these errors, turn validation off with --validate=false');
  });

  it('typed commands still work: create deployment, get it back in a Table', async () => {
    assert.equal((await kubectl.ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=0'])).trim(), 'deployment.apps/web created');
    assert.match(await kubectl.ok(['get', 'deployment', 'web']), /^web\s+0\/0\s+0\s+0\s+\d+s$/m);
  });
});

describe('protobuf both ways on the Cloudflare Worker (workerd, Durable Object store)', () => {
  let cluster: WorkerTestCluster;
  let token: string;
  before(async () => {
    cluster = await freshWorkerCluster();
    token = await cluster.token();
  });
  after(() => cluster.close());

  it('a protobuf create, list, watch frames and /openapi/v2 in protobuf, read through the upstream definitions', async () => {
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pb', namespace: 'default' }, data: { a: 'b' } };
    const created = await call(cluster, token, '/api/v1/namespaces/default/configmaps', { method: 'POST', contentType: protobuf, body: encodeKubernetesProtobuf(configMap, protobufMessageOf(configMap)!) });
    assert.equal(created.status, 201);
    assertCovers(configMap, decodeEnvelope(schema, created.body).object, 'created on the Worker');
    const pods = await call(cluster, token, '/api/v1/namespaces/kube-system/pods');
    assert.equal(pods.type, protobuf);
    const json = JSON.parse((await call(cluster, token, '/api/v1/namespaces/kube-system/pods', { accept: 'application/json' })).body.toString('utf8'));
    assertCovers({ ...json, metadata: {} }, decodeEnvelope(schema, pods.body).object, 'kube-system pods on the Worker');
    const watch = await call(cluster, token, '/api/v1/namespaces/default/configmaps?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan', { untilBookmark: true });
    assert.equal(watch.type, `${protobuf};stream=watch`);
    assert.deepEqual(decodeWatchFrames(schema, watch.body).map((e) => [e.type, (e.object.metadata as Json).name]).filter(([, name]) => name !== 'kube-root-ca.crt'), [['ADDED', 'pb'], ['BOOKMARK', '']]);
    const v2 = await call(cluster, token, '/openapi/v2', { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' });
    assert.ok((schema.decode('openapi.v2.Document', v2.body).definitions as { additional_properties: unknown[] }).additional_properties.length > 100);
  });
});
