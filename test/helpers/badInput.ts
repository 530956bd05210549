import { gzipSync } from 'node:zlib';
import { stringify as toYaml } from 'yaml';
import type { RawRequest } from './rawHttp.ts';
import { seededRandom } from './queueFaults.ts';

/**
 * A seeded generator of malformed API requests. Everything follows from the
 * seed, so a failing run is reproduced by its seed alone.
 *
 * Each request says what a correct server must do with it:
 *  - `fail`: a 4xx (it is broken, or aimed at an object that cannot change);
 *  - `any`:  anything but a 5xx; it can only be accepted where acceptance
 *            changes nothing (reads, dry runs, creates in a missing namespace);
 *  - `ok`:   a 2xx (the valid requests that prove the server still works).
 * So after a run the store must be byte-for-byte what it was before.
 */

export type Expect = 'fail' | 'any' | 'ok';

export interface BadInput extends RawRequest {
  category: string;
  expect: Expect;
  /** A GET that a server may answer with an endless watch stream. */
  watch?: boolean;
}

export interface Fixtures {
  /** A valid token for the cluster under test. */
  token: string;
  /** A valid token naming another cluster: 403 here. */
  otherClusterToken: string;
  /** The root admin API's token (/clusters). */
  adminToken: string;
  /**
   * The runtime resolves `.` and `..` path segments before the app sees the URL (workerd, as
   * Cloudflare's edge and curl do), so a name of dots cannot reach the server as a name.
   */
  resolvesDotSegments?: boolean;
}

/** mulberry32, the project's one seeded generator (test/helpers/queueFaults.ts). */
export const mulberry32 = seededRandom;

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) { this.next = mulberry32(seed); }
  float(): number { return this.next(); }
  int(n: number): number { return Math.floor(this.next() * n); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(items: readonly T[]): T { return items[this.int(items.length)]; }
}

// ---------------------------------------------------------------- fixtures

/**
 * The namespace holding the objects the generator aims updates, patches and deletes at.
 * They are inert, so no worker writes while the store is watched: the pod names a scheduler
 * that does not exist, the service selects nothing, and no controller acts on a Role.
 */
export const fixtureNamespace = 'fuzz-ns';
/** Never created: a create aimed here can only end in 404, however valid its body. */
const missingNamespace = 'fuzz-missing';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Kind {
  kind: string;
  apiVersion: string;
  /** `/api/v1` or `/apis/apps/v1`. */
  prefix: string;
  plural: string;
  namespaced: boolean;
  /** The object of this kind that exists in the fixture namespace. */
  existing: string;
  /** RBAC names need only be path segments; everything else must be a DNS name. */
  pathSegmentNames?: boolean;
  body(name: string): JsonObject;
}

const container = (): JsonObject => ({
  name: 'web', image: 'nginx:1.27', args: ['-g', 'daemon off;'], ports: [{ containerPort: 80, protocol: 'TCP' }],
  env: [{ name: 'MODE', value: 'fuzz' }], resources: { limits: { cpu: '100m', memory: '64Mi' } },
});
const meta = (name: string): JsonObject => ({ name, labels: { app: 'fuzz', tier: 'web' }, annotations: { 'example.com/note': 'hello' } });

export const kinds: readonly Kind[] = [
  {
    kind: 'Pod', apiVersion: 'v1', prefix: '/api/v1', plural: 'pods', namespaced: true, existing: 'fuzz-pod',
    body: (name) => ({ apiVersion: 'v1', kind: 'Pod', metadata: meta(name), spec: {
      containers: [container()], restartPolicy: 'Always', nodeSelector: { disk: 'ssd' }, terminationGracePeriodSeconds: 30, schedulerName: 'fuzz-nobody',
      tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
    } }),
  },
  {
    kind: 'ConfigMap', apiVersion: 'v1', prefix: '/api/v1', plural: 'configmaps', namespaced: true, existing: 'fuzz-cm',
    body: (name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(name), data: { 'a.conf': 'x=1', b: 'two' }, binaryData: { bin: 'AAEC' }, immutable: false }),
  },
  {
    kind: 'Service', apiVersion: 'v1', prefix: '/api/v1', plural: 'services', namespaced: true, existing: 'fuzz-svc',
    body: (name) => ({ apiVersion: 'v1', kind: 'Service', metadata: meta(name), spec: {
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], type: 'ClusterIP',
    } }),
  },
  {
    kind: 'Namespace', apiVersion: 'v1', prefix: '/api/v1', plural: 'namespaces', namespaced: false, existing: fixtureNamespace,
    body: (name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: meta(name), spec: { finalizers: ['kubernetes'] } }),
  },
  {
    kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'roles', namespaced: true, existing: 'fuzz-role',
    pathSegmentNames: true,
    body: (name) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(name), rules: [
      { apiGroups: [''], resources: ['pods', 'configmaps'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'], verbs: ['patch'] },
    ] as Json[] }),
  },
  {
    // Only ever created where it cannot persist (a controller would act on a stored one).
    kind: 'Deployment', apiVersion: 'apps/v1', prefix: '/apis/apps/v1', plural: 'deployments', namespaced: true, existing: 'fuzz-deploy-never-created',
    body: (name) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(name), spec: {
      replicas: 2, selector: { matchLabels: { app: 'fuzz' } },
      template: { metadata: { labels: { app: 'fuzz' } }, spec: { containers: [container()] } },
    } }),
  },
];

const collectionPath = (k: Kind, namespace = fixtureNamespace) => (k.namespaced ? `${k.prefix}/namespaces/${namespace}/${k.plural}` : `${k.prefix}/${k.plural}`);
const itemPath = (k: Kind, name = k.existing) => `${collectionPath(k)}/${name}`;

/** The objects every run starts from (namespace first). */
export function fixtureRequests(token: string): RawRequest[] {
  const ordered = kinds.filter((k) => k.kind !== 'Deployment').sort((a, b) => Number(a.namespaced) - Number(b.namespaced));
  return ordered.map((k) => ({
    method: 'POST', path: collectionPath(k), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: utf8(JSON.stringify(k.body(k.existing))),
  }));
}

// ---------------------------------------------------------------- encodings

const encoder = new TextEncoder();
const utf8 = (s: string) => encoder.encode(s);

/** A minimal protobuf writer for the `k8s\0` envelope and the few messages we send. */
const pb = {
  varint(n: number): number[] {
    const out: number[] = [];
    let v = n;
    do {
      const b = v % 128;
      v = Math.floor(v / 128);
      out.push(v ? b | 0x80 : b);
    } while (v);
    return out;
  },
  bytes(field: number, value: string | number[]): number[] {
    const b = typeof value === 'string' ? [...utf8(value)] : value;
    return [...pb.varint(field * 8 + 2), ...pb.varint(b.length), ...b];
  },
  int(field: number, n: number): number[] { return [...pb.varint(field * 8), ...pb.varint(n)]; },
  map(field: number, entries: Record<string, string>): number[] {
    return Object.entries(entries).flatMap(([k, v]) => pb.bytes(field, [...pb.bytes(1, k), ...pb.bytes(2, v)]));
  },
  envelope(apiVersion: string, kind: string, raw: number[]): Uint8Array {
    return Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...pb.bytes(1, [...pb.bytes(1, apiVersion), ...pb.bytes(2, kind)]), ...pb.bytes(2, raw)]);
  },
};

/** ObjectMeta {1: name, 11: labels}; field numbers from k8s.io/api's generated.proto. */
const pbMeta = (name: string) => pb.bytes(1, [...pb.bytes(1, name), ...pb.map(11, { app: 'fuzz' })]);

/** A valid protobuf body of one of the kinds the server decodes from protobuf. */
function protobufBody(kind: 'Pod' | 'ConfigMap' | 'Namespace', name: string): Uint8Array {
  switch (kind) {
    case 'ConfigMap': return pb.envelope('v1', 'ConfigMap', [...pbMeta(name), ...pb.map(2, { key: 'value', other: 'x' })]);
    case 'Namespace': return pb.envelope('v1', 'Namespace', [...pbMeta(name), ...pb.bytes(2, pb.bytes(1, 'kubernetes'))]);
    case 'Pod': {
      // PodSpec {2: containers [Container {1: name, 2: image, 6: ports [{3: containerPort}]}], 3: restartPolicy}
      const c = [...pb.bytes(1, 'web'), ...pb.bytes(2, 'nginx:1.27'), ...pb.bytes(6, pb.int(3, 80))];
      return pb.envelope('v1', 'Pod', [...pbMeta(name), ...pb.bytes(2, [...pb.bytes(2, c), ...pb.bytes(3, 'Always')])]);
    }
  }
}

// ---------------------------------------------------------------- the generator

interface Gen { rng: Rng; fx: Fixtures }

const randomName = (rng: Rng) => `fz-${rng.int(1e9).toString(36)}`;
const jsonHeaders = (fx: Fixtures, type = 'application/json'): Record<string, string> => ({ authorization: `Bearer ${fx.token}`, 'content-type': type });
const withQuery = (path: string, query: string) => (query ? `${path}${path.includes('?') ? '&' : '?'}${query}` : path);

/**
 * Where a create whose body might be valid goes so that it cannot change the
 * store: into a namespace that does not exist (404 after decode and validation),
 * or as a dry run.
 */
function harmlessCreate(g: Gen, k: Kind): { path: string } {
  if (k.namespaced && g.rng.chance(0.5)) return { path: collectionPath(k, missingNamespace) };
  return { path: withQuery(collectionPath(k), 'dryRun=All') };
}

/** Every path to a leaf (or, with subtrees, to any node) of a JSON value. */
function paths(value: Json, subtrees: boolean, at: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [];
  if (value !== null && typeof value === 'object') {
    if (subtrees && at.length) out.push(at);
    const entries: Array<[string | number, Json]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [key, child] of entries) out.push(...paths(child, subtrees, [...at, key]));
  } else if (at.length) out.push(at);
  return out;
}

function setAt(root: Json, path: Array<string | number>, value: Json): void {
  let node = root as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  node[path[path.length - 1]] = value;
}

/** A value of the wrong kind for most fields. */
function wrongValue(rng: Rng): Json {
  switch (rng.int(12)) {
    case 0: return rng.pick([0, -1, 1.5, 2 ** 53 + 1, 1e308, -0]);
    case 1: return [];
    case 2: return [1, 'two', null, {}];
    case 3: return {};
    case 4: return { nested: { deeper: [true] } };
    case 5: return null;
    case 6: return rng.chance(0.5);
    case 7: return 'x'.repeat(rng.pick([64, 254, 4096, 70_000]));
    case 8: return rng.pick(['', ' ', '\u0000', '\ud800', '💥', 'NaN', '1e999', 'true', '-1']);
    case 9: return rng.pick(['Always', 'TCP', 'ClusterIP', '100m', '64Mi', 'kubernetes']);
    case 10: return Number.MAX_SAFE_INTEGER;
    default: return [[[[['deep']]]]];
  }
}

const invalidNames = [
  'UPPER', 'MixedCase', 'a'.repeat(254), 'ünïcödé', '日本語', '💥', 'a\u0000b', 'a\nb', 'a\tb', 'a b', '..', '.', 'a/b', 'a..b',
  '-lead', 'trail-', 'under_score', ' space', 'semi;colon', '../../etc/passwd', 'a%2Fb', 'dot.', '\u202e',
];

/** Names in a URL: encoded (what a careful client sends) or raw where Node's client allows it. */
function nameInPath(rng: Rng, name: string): string {
  if (rng.chance(0.5) && /^[\u0021-\u007e]*$/.test(name)) return name;
  return encodeURIComponent(name);
}

type Maker = (g: Gen) => BadInput;

const bodyTypes = ['json', 'yaml', 'protobuf'] as const;

/** A valid body of kind k in one of the encodings, plus its content type. */
function validBody(k: Kind, name: string, encoding: (typeof bodyTypes)[number]): { bytes: Uint8Array; type: string } {
  if (encoding === 'protobuf' && (k.kind === 'Pod' || k.kind === 'ConfigMap' || k.kind === 'Namespace')) {
    return { bytes: protobufBody(k.kind, name), type: 'application/vnd.kubernetes.protobuf' };
  }
  if (encoding === 'yaml') return { bytes: utf8(toYaml(k.body(name))), type: 'application/yaml' };
  return { bytes: utf8(JSON.stringify(k.body(name))), type: 'application/json' };
}

const truncated: Maker = (g) => {
  const k = g.rng.pick(kinds);
  const encoding = g.rng.pick(bodyTypes);
  const { bytes, type } = validBody(k, randomName(g.rng), encoding);
  const cut = bytes.slice(0, g.rng.int(bytes.length));
  // A JSON object cut short never parses; a cut YAML or protobuf body may still decode to a smaller valid object.
  if (type === 'application/json') return { category: 'truncated-json', expect: 'fail', method: 'POST', path: collectionPath(k), headers: jsonHeaders(g.fx, type), body: cut };
  return { category: `truncated-${encoding === 'yaml' ? 'yaml' : 'protobuf'}`, expect: 'any', method: 'POST', ...harmlessCreate(g, k), headers: jsonHeaders(g.fx, type), body: cut };
};

const brokenSnippets = [
  '{', '}', '[', '{"apiVersion":"v1","kind":"ConfigMap",}', "{'apiVersion':'v1'}", '{"a":NaN}', '{"a":1e99999}', '{"a":Infinity}',
  '/* c */{"kind":"ConfigMap"}', '\ufeff{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"bom"}}', '{"a":"\\x41"}', '{"a":"\\u12"}',
  '{"a":"unterminated', 'null', 'true', '42', '"string"', '[]', '[{"kind":"ConfigMap"}]', '{"metadata":null,"kind":"ConfigMap","apiVersion":"v1"}',
  '{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x"}} trailing', '{"kind":', '\u0000', ' ', '\n\n', '{"kind":"ConfigMap""apiVersion":"v1"}',
  'kind: [unclosed', 'a: b: c', '- a\nb: c', '%YAML 9.9\n---\nkind: x', 'kind: ConfigMap\n---\nkind: ConfigMap', '{{{{', '"\\ud800"',
  'a: &a [x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
  '{"__proto__":{"polluted":"yes"},"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"proto"}}',
  '{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"dup","name":"DUP"}}', '!!binary AAAA', 'kind: !!js/function "function(){}"',
];
const invalidUtf8 = [[0xff, 0xfe, 0xfd], [0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf]];

const brokenSyntax: Maker = (g) => {
  const k = g.rng.pick(kinds);
  const type = g.rng.pick(['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
  let body: Uint8Array;
  if (g.rng.chance(0.15)) body = Uint8Array.from(g.rng.pick(invalidUtf8));
  else if (g.rng.chance(0.5)) body = utf8(g.rng.pick(brokenSnippets));
  else {
    // Random byte edits of a valid body; they may leave it valid, so aim it where acceptance is harmless.
    const bytes = [...validBody(k, randomName(g.rng), type === 'application/yaml' ? 'yaml' : type === 'application/json' ? 'json' : 'protobuf').bytes];
    for (let i = 1 + g.rng.int(4); i > 0; i--) {
      const at = g.rng.int(bytes.length);
      const op = g.rng.int(3);
      if (op === 0) bytes[at] = g.rng.int(256);
      else if (op === 1) bytes.splice(at, 1);
      else bytes.splice(at, 0, g.rng.pick([0x22, 0x7b, 0x7d, 0x5b, 0x3a, 0x2c, 0x0a, 0x00, 0xff, 0x26, 0x2a]));
    }
    body = Uint8Array.from(bytes);
  }
  return { category: 'broken-syntax', expect: 'any', method: 'POST', ...harmlessCreate(g, k), headers: jsonHeaders(g.fx, type), body };
};

/** A valid body with one node replaced by a value of the wrong type. */
function mutatedBody(g: Gen, k: Kind, name: string, keepMeta: boolean): JsonObject {
  const body = k.body(name);
  const subtrees = g.rng.chance(0.3);
  for (let i = 1 + (g.rng.chance(0.2) ? g.rng.int(3) : 0); i > 0; i--) {
    const candidates = paths(body, subtrees).filter((p) => !keepMeta || p[0] !== 'metadata');
    if (candidates.length) setAt(body, g.rng.pick(candidates), wrongValue(g.rng));
  }
  return body;
}

const wrongType: Maker = (g) => {
  const k = g.rng.pick(kinds);
  const yaml = g.rng.chance(0.2);
  const encode = (b: JsonObject) => utf8(yaml ? toYaml(b) : JSON.stringify(b));
  const type = yaml ? 'application/yaml' : 'application/json';
  switch (g.rng.int(3)) {
    case 0:
      return { category: 'wrong-type-create', expect: 'any', method: 'POST', ...harmlessCreate(g, k), headers: jsonHeaders(g.fx, type), body: encode(mutatedBody(g, k, randomName(g.rng), false)) };
    case 1: {
      // A replace with a stale resourceVersion fails whatever the body holds.
      const body = mutatedBody(g, k, k.existing, true);
      (body.metadata as JsonObject).resourceVersion = '1';
      return { category: 'wrong-type-update', expect: 'fail', method: 'PUT', path: itemPath(k), headers: jsonHeaders(g.fx, type), body: encode(body) };
    }
    default:
      return { category: 'wrong-type-update-dryrun', expect: 'any', method: 'PUT', path: withQuery(itemPath(k), 'dryRun=All'), headers: jsonHeaders(g.fx, type), body: encode(mutatedBody(g, k, k.existing, false)) };
  }
};

/** Big but under 3 MiB: fails validation or is aimed where it is harmless. Over 3 MiB: 413. */
const huge: Maker = (g) => {
  const k = g.rng.pick(kinds);
  const body = k.body(randomName(g.rng));
  const m = body.metadata as JsonObject;
  if (g.rng.chance(0.1)) {
    // Headers of 70-120 KiB: past the Node entry's 64 KiB (its parser refuses them, still with a Status),
    // under workerd's 128 KiB (whose own refusal, a text/plain 431, no app code can shape).
    const headers = { ...jsonHeaders(g.fx), [g.rng.pick(['x-junk', 'cookie', 'accept'])]: 'y'.repeat(70 * 1024 + g.rng.int(50 * 1024)) };
    return { category: 'huge-headers', expect: 'any', method: g.rng.pick(['GET', 'POST']), path: collectionPath(k), headers };
  }
  if (g.rng.chance(0.25)) {
    const size = 3 * 1024 * 1024 + 1 + g.rng.int(4096);
    (m.annotations as JsonObject).big = 'x'.repeat(size);
    const chunked = g.rng.chance(0.5);
    return { category: chunked ? 'huge-over-cap-chunked' : 'huge-over-cap', expect: 'fail', method: g.rng.pick(['POST', 'PUT', 'PATCH']), path: g.rng.chance(0.5) ? collectionPath(k) : itemPath(k), headers: jsonHeaders(g.fx, 'application/json'), body: utf8(JSON.stringify(body)), chunked };
  }
  switch (g.rng.int(6)) {
    case 0: m.name = 'a'.repeat(254 + g.rng.int(300_000)); break;
    case 1: (m.labels as JsonObject).big = 'v'.repeat(64 + g.rng.int(300_000)); break;
    case 2: (m.annotations as JsonObject).big = 'x'.repeat(256 * 1024 + g.rng.int(2_700_000)); break;
    case 3: m.labels = Object.fromEntries(Array.from({ length: 1_000 + g.rng.int(20_000) }, (_, i) => [`k${i}`, 'v'])); break;
    case 4: m.finalizers = Array.from({ length: 1_000 + g.rng.int(100_000) }, () => 'example.com/f'); break;
    default: m.ownerReferences = Array.from({ length: 1_000 + g.rng.int(20_000) }, () => 7); break;
  }
  return { category: 'huge-under-cap', expect: 'any', method: 'POST', ...harmlessCreate(g, k), headers: jsonHeaders(g.fx), body: utf8(JSON.stringify(body)) };
};

/** 1,000 levels, in JSON or YAML, in a create or a patch. */
const deepNesting: Maker = (g) => {
  const depth = 1000 + g.rng.int(200);
  const k = g.rng.pick(kinds);
  const shape = g.rng.int(4);
  const inner = shape === 0 ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  const where = g.rng.pick(['metadata', 'labels', 'spec', 'root']);
  const doc = where === 'root' ? inner
    : where === 'metadata' ? `{"apiVersion":"${k.apiVersion}","kind":"${k.kind}","metadata":${inner}}`
      : where === 'labels' ? `{"apiVersion":"${k.apiVersion}","kind":"${k.kind}","metadata":{"name":"deep","labels":${inner}}}`
        : `{"apiVersion":"${k.apiVersion}","kind":"${k.kind}","metadata":{"name":"deep"},"spec":${inner}}`;
  if (shape === 3) {
    const yaml = `apiVersion: ${k.apiVersion}\nkind: ${k.kind}\nmetadata:\n  name: deep\nspec: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    return { category: 'deep-nesting', expect: 'fail', method: 'POST', path: collectionPath(k), headers: jsonHeaders(g.fx, 'application/yaml'), body: utf8(yaml) };
  }
  if (g.rng.chance(0.4)) {
    const patchType = g.rng.pick(['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']);
    const patch = `{"metadata":{"labels":{"x":"y"}},"spec":${inner}}`;
    return { category: 'deep-nesting', expect: 'fail', method: 'PATCH', path: itemPath(k), headers: jsonHeaders(g.fx, patchType), body: utf8(patch) };
  }
  return { category: 'deep-nesting', expect: 'fail', method: g.rng.pick(['POST', 'PUT']), path: g.rng.chance(0.5) ? collectionPath(k) : itemPath(k), headers: jsonHeaders(g.fx), body: utf8(doc) };
};

const badLabelKeys = ['UPPER/x', '-a', 'a-', 'a b', 'a/b/c', '', 'x'.repeat(254) + '/a', 'example.com/' + 'n'.repeat(64), '日本', 'a\u0000'];
const badLabelValues = ['x'.repeat(64), 'b c', '-v', 'v-', 'ü', 'a/b', '\n'];

/** Invalid names, namespaces, labels and annotations: in bodies (must fail) and in URLs. */
const hasDotSegment = (name: string) => name.split('/').some((s) => s === '.' || s === '..');
/** Names a kind refuses: any of the list for DNS-named kinds, only `.`, `..`, `/` and `%` for path-segment ones. */
const badNamesFor = (k: Kind) => (k.pathSegmentNames ? invalidNames.filter((n) => n === '.' || n === '..' || /[/%]/.test(n)) : invalidNames);

const invalidNamesGen: Maker = (g) => {
  const k = g.rng.pick(kinds);
  const names = badNamesFor(k);
  const bad = g.rng.pick(g.fx.resolvesDotSegments ? names.filter((n) => !hasDotSegment(n)) : names);
  switch (g.rng.int(6)) {
    case 0: {
      const body = k.body(bad);
      return { category: 'invalid-name-body', expect: 'fail', method: 'POST', path: collectionPath(k), headers: jsonHeaders(g.fx), body: utf8(JSON.stringify(body)) };
    }
    case 1: {
      const body = k.body(randomName(g.rng));
      const m = body.metadata as JsonObject;
      if (g.rng.chance(0.5)) m.labels = { [g.rng.pick(badLabelKeys)]: 'v' };
      else m.labels = { ok: g.rng.pick(badLabelValues) };
      if (g.rng.chance(0.3)) m.annotations = { [g.rng.pick(badLabelKeys.filter((key) => key !== 'UPPER/x'))]: 'v' };
      return { category: 'invalid-label', expect: 'fail', method: 'POST', path: collectionPath(k), headers: jsonHeaders(g.fx), body: utf8(JSON.stringify(body)) };
    }
    case 2: {
      // The namespace in the body disagrees with the URL, or names one that cannot exist.
      const body = k.body(randomName(g.rng));
      (body.metadata as JsonObject).namespace = bad;
      return { category: 'invalid-namespace-body', expect: k.namespaced ? 'fail' : 'any', method: 'POST', path: k.namespaced ? collectionPath(k) : withQuery(collectionPath(k), 'dryRun=All'), headers: jsonHeaders(g.fx), body: utf8(JSON.stringify(body)) };
    }
    case 3: {
      // Reads of impossible names: 404 (or the list of a namespace that cannot exist, empty).
      const ns = nameInPath(g.rng, bad);
      const path = k.namespaced && g.rng.chance(0.5) ? `${k.prefix}/namespaces/${ns}/${k.plural}` : `${collectionPath(k)}/${nameInPath(g.rng, bad)}`;
      return { category: 'invalid-name-url-read', expect: 'any', method: 'GET', path, headers: jsonHeaders(g.fx) };
    }
    case 4: {
      // Writes to impossible names: nothing to update, patch or delete.
      const method = g.rng.pick(['PUT', 'PATCH', 'DELETE']);
      const body = method === 'DELETE' ? undefined : utf8(method === 'PUT' ? JSON.stringify(k.body(bad)) : '{"metadata":{"labels":{"x":"y"}}}');
      const type = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
      return { category: 'invalid-name-url-write', expect: 'fail', method, path: `${collectionPath(k)}/${nameInPath(g.rng, bad)}`, headers: jsonHeaders(g.fx, type), body };
    }
    default: {
      // Creates into a namespace named wrongly: it does not exist.
      const path = k.namespaced ? `${k.prefix}/namespaces/${nameInPath(g.rng, bad)}/${k.plural}` : collectionPath(k);
      const body = k.namespaced ? k.body(randomName(g.rng)) : k.body(bad);
      return { category: 'invalid-namespace-url', expect: 'fail', method: 'POST', path, headers: jsonHeaders(g.fx), body: utf8(JSON.stringify(body)) };
    }
  }
};

const badContinue = () => [
  'abc', '!!!', btoa('{"v":"meta.k8s.io/v1","rv":-1,"start":"x"}'), btoa('{"v":"meta.k8s.io/v1","rv":1e300,"start":"x"}'), btoa('not json'),
  btoa('{"v":"meta.k8s.io/v1","rv":1,"start":{"a":1}}'), btoa('null'), btoa('[]'), btoa('{"v":"meta.k8s.io/v2","rv":5,"start":"a"}'), '%ZZ', 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOiIuLi8uLi8ifQ',
];

/** Query parameters no server can honour: each must be refused with a 400, never a 5xx or a silent default. */
const badQuery: Maker = (g) => {
  const k = g.rng.pick(kinds);
  const list = collectionPath(k);
  const e = encodeURIComponent;
  const cases: Array<() => BadInput> = [
    () => ({ category: 'bad-query-list', expect: 'fail', method: 'GET', path: withQuery(list, g.rng.pick(['limit=abc', 'limit=1.5', 'limit=99999999999999999999', 'limit=1e3', 'limit=0x10'])) }),
    () => ({ category: 'bad-query-list', expect: 'fail', method: 'GET', path: withQuery(list, g.rng.pick(['resourceVersion=abc', 'resourceVersion=-5', 'resourceVersion=1e99', 'resourceVersion=%00'])) }),
    () => ({ category: 'bad-query-list', expect: 'fail', method: 'GET', path: withQuery(list, `limit=5&continue=${e(g.rng.pick(badContinue()))}`) }),
    () => ({ category: 'bad-query-list', expect: 'fail', method: 'GET', path: withQuery(list, `labelSelector=${e(g.rng.pick(['a in (', '!', 'a notin b', '=x', 'a=b=c', 'a in (b c)', 'UPPER/x/y=z', 'a=' + 'x'.repeat(64), '((', 'a,,=b', 'x>', 'a!!=b']))}`) }),
    () => ({ category: 'bad-query-list', expect: 'fail', method: 'GET', path: withQuery(list, `fieldSelector=${e(g.rng.pick(['metadata.name', 'spec.bogus=x', '=x', 'a~b', 'status.phase>Running', 'x in (a)', '!metadata.name']))}`) }),
    () => ({ category: 'bad-query-watch', expect: 'fail', watch: true, method: 'GET', path: withQuery(list, `watch=true&${g.rng.pick(['timeoutSeconds=1e99', 'timeoutSeconds=1.5', 'timeoutSeconds=abc', 'resourceVersion=abc', 'labelSelector=a%20in%20(', 'fieldSelector=spec.nope%3Dx'])}`) }),
    () => ({ category: 'bad-query-write', expect: 'fail', method: 'POST', path: withQuery(list, g.rng.pick(['fieldValidation=Bogus', 'fieldValidation=strict', 'dryRun=Maybe', 'dryRun=All&dryRun=None', 'dryRun='])), body: utf8(JSON.stringify(k.body(randomName(g.rng)))) }),
    () => ({ category: 'bad-query-write', expect: 'fail', method: 'PATCH', path: withQuery(itemPath(k), g.rng.pick(['fieldValidation=Bogus', 'dryRun=Maybe'])), headers: { 'content-type': 'application/merge-patch+json' }, body: utf8('{"metadata":{"labels":{"x":"y"}}}') }),
    () => ({ category: 'bad-query-write', expect: 'fail', method: 'DELETE', path: withQuery(itemPath(k), g.rng.pick(['dryRun=Maybe', 'gracePeriodSeconds=abc', 'gracePeriodSeconds=1e99', 'gracePeriodSeconds=99999999999999999999'])) }),
    () => ({ category: 'bad-query-write', expect: 'fail', method: 'PUT', path: withQuery(itemPath(k), g.rng.pick(['fieldValidation=Nope', 'dryRun=Maybe'])), body: utf8(JSON.stringify({ ...k.body(k.existing), metadata: { ...meta(k.existing), resourceVersion: '1' } })) }),
  ];
  const req = g.rng.pick(cases)();
  return { ...req, headers: { ...jsonHeaders(g.fx), ...req.headers } };
};

/** Unknown paths, unknown groups and versions, and methods the API has no verb for. */
const unknownPathsAndVerbs: Maker = (g) => {
  const k = g.rng.pick(kinds);
  // Methods both Node's and workerd's HTTP parsers accept (workerd answers 501 itself to others, such as LINK).
  const methods = ['PROPFIND', 'TRACE', 'OPTIONS', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'PURGE', 'REPORT', 'PROPPATCH'];
  if (g.rng.chance(0.2)) {
    // Writes the path cannot carry: to a collection by PUT or PATCH, or to a namespaced resource's all-namespaces path.
    const namespaced = g.rng.pick(kinds.filter((x) => x.namespaced));
    const method = g.rng.pick(['POST', 'PUT', 'PATCH', 'DELETE']);
    const path = method === 'PUT' || method === 'PATCH' ? g.rng.pick([collectionPath(namespaced), `${namespaced.prefix}/${namespaced.plural}`]) : `${namespaced.prefix}/${namespaced.plural}`;
    const body = method === 'DELETE' ? undefined : utf8(JSON.stringify(namespaced.body(randomName(g.rng))));
    return { category: 'wrong-scope', expect: 'fail', method, path, headers: jsonHeaders(g.fx, method === 'PATCH' ? 'application/merge-patch+json' : 'application/json'), body };
  }
  if (g.rng.chance(0.35)) {
    const path = g.rng.pick([collectionPath(k), itemPath(k), '/api', '/apis', '/api/v1', '/openapi/v3', '/version']);
    return { category: 'unknown-verb', expect: 'fail', method: g.rng.pick(methods), path, headers: { authorization: `Bearer ${g.fx.token}` } };
  }
  const path = g.rng.pick([
    '/api/v2/namespaces', '/apis/nope.example.com/v1/things', '/apis/apps/v9/deployments', '/api/v1/namespaces/default/nopes', '/api/v1/nodes/x/y/z/w',
    '/foo', '/api/v1/namespaces/default/pods/x/nosuchsub', '/apis/apps', '/apis/apps/v1/namespaces/default/deployments/x/scale/extra',
    '/api/v1/%ff', '/api/v1/namespaces/%ZZ/pods', '/api/v1/namespaces/default/configmaps/%', '/api/v1/namespaces/default/configmaps/%E0%A4%A',
    '/api/v1/namespaces/default/configmaps/a%00b', '/clusters/UPPER/api/v1/pods', '/clusters/' + 'x'.repeat(70) + '/api', '/clusters//api',
    '/api/v1/namespaces/default/pods/x/log', '/api/v1/namespaces/default/pods/x/exec', '/openapi/v9', '/openapi/v3/apis/nope/v1', '//api/v1',
    '/api/v1/namespaces/fuzz-ns/configmaps/fuzz-cm/status', '/api/v1/namespaces/fuzz-ns/configmaps/fuzz-cm/binding', '/api/v1/namespaces/fuzz-ns/finalize', '/api/v1/nodes/controlplane/binding',
  ]);
  const method = g.rng.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);
  const body = method === 'GET' || method === 'HEAD' || method === 'DELETE' ? undefined : utf8(JSON.stringify(k.body(randomName(g.rng))));
  // A GET of a path that happens to exist (a discovery prefix) may answer 200; a write to these never may.
  const expect: Expect = method === 'GET' || method === 'HEAD' ? 'any' : 'fail';
  return { category: 'unknown-path', expect, method, path, headers: jsonHeaders(g.fx, method === 'PATCH' ? 'application/merge-patch+json' : 'application/json'), body };
};

/** Patches that cannot apply (must fail), and random ones (dry run: may apply, changes nothing). */
const badPatch: Maker = (g) => {
  const k = g.rng.pick(kinds);
  const jsonPatchFailures = [
    '{"op":"add"}', '[{"op":"bogus","path":"/metadata"}]', '[{"op":"add"}]', '[{"op":"replace","path":"/nope/deeper","value":1}]',
    '[{"op":"remove","path":"/metadata/nope"}]', '[{"op":"test","path":"/metadata/name","value":"other"}]', '[{"op":"move","from":"/nope","path":"/x"}]',
    '[{"op":"add","path":"metadata","value":1}]', '[{"op":"copy","from":"/metadata/missing","path":"/metadata/x"}]', '[1,2,3]', '[null]', '"op"', '[{"op":"replace","path":"/kind","value":"Other"}]',
    '[{"op":"replace","path":"/apiVersion","value":"v9"}]', '[{"op":"replace","path":"/metadata/name","value":"Renamed"}]', '[{"op":"add","path":"/metadata/labels/UPPER~1x~1y","value":"v"}]',
    '[{"op":"replace","path":"/metadata","value":[]}]', '[{"op":"add","path":"/__proto__/polluted","value":"yes"}]', '[{"op":"test","path":"/metadata/labels/app","value":"nope"}]',
  ];
  const mergeFailures = [
    '[]', '"string"', '42', 'null', '{"kind":"Other"}', '{"apiVersion":"v9"}', '{"metadata":{"name":"renamed"}}', '{"metadata":{"labels":{"UPPER/x/y":"v"}}}',
    '{"metadata":[]}', '{"metadata":{"labels":"str"}}', '{"metadata":{"namespace":"elsewhere"}}', '{', '{"metadata":{"labels":{"a":"' + 'x'.repeat(64) + '"}}}',
  ];
  const strategicFailures = [
    ...mergeFailures, '{"$patch":"bogus"}', '{"metadata":{"labels":{"$patch":"nonsense"}}}', '{"spec":{"containers":[{"$patch":"delete"}]}}',
    '{"spec":{"$setElementOrder/containers":"x"}}', '{"spec":{"$retainKeys":7}}', '{"spec":{"containers":"notalist"}}', '{"$deleteFromPrimitiveList/finalizers":1}',
    '{"spec":{"ports":[{"$patch":"replace"}]}}', '{"spec":{"$setElementOrder/containers":[{"name":1}]}}',
  ];
  const types = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
  const type = g.rng.pick(types);
  if (g.rng.chance(0.6)) {
    const body = type === 'application/json-patch+json' ? g.rng.pick(jsonPatchFailures) : type === 'application/merge-patch+json' ? g.rng.pick(mergeFailures) : g.rng.pick(strategicFailures);
    // Some of these are only wrong for some kinds (a Namespace has no spec.containers); all may be accepted as a dry run.
    const strict = /Renamed|renamed|UPPER|"v9"|"Other"|"test"|bogus|^\[\]$|^"|^42$|^null$|^\{$|"labels":"str"|"metadata":\[\]|x{64}/.test(body);
    if (strict) return { category: `bad-patch-${type.split('/')[1].split('+')[0]}`, expect: 'fail', method: 'PATCH', path: itemPath(k), headers: jsonHeaders(g.fx, type), body: utf8(body) };
    return { category: `bad-patch-${type.split('/')[1].split('+')[0]}`, expect: 'any', method: 'PATCH', path: withQuery(itemPath(k), 'dryRun=All'), headers: jsonHeaders(g.fx, type), body: utf8(body) };
  }
  // A random patch from a mutated body: anything may happen, nothing may persist.
  const mutated = mutatedBody(g, k, k.existing, false);
  let body: string;
  if (type === 'application/json-patch+json') {
    const p = g.rng.pick(paths(k.body(k.existing), true));
    body = JSON.stringify([{ op: g.rng.pick(['add', 'replace', 'remove', 'test', 'copy', 'move']), path: '/' + p.join('/'), from: '/metadata/labels', value: wrongValue(g.rng) }]);
  } else body = type === 'application/apply-patch+yaml' && g.rng.chance(0.5) ? toYaml(mutated) : JSON.stringify(mutated);
  return { category: 'random-patch-dryrun', expect: 'any', method: 'PATCH', path: withQuery(itemPath(k), `dryRun=All${g.rng.chance(0.3) ? '&fieldValidation=Strict' : ''}`), headers: jsonHeaders(g.fx, type), body: utf8(body) };
};

/** Bodies in formats the API does not take, or labelled as something they are not. */
const wrongContentType: Maker = (g) => {
  const k = g.rng.pick(kinds);
  const json = utf8(JSON.stringify(k.body(randomName(g.rng))));
  const unknown = ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'image/png', 'application/cbor', 'application/json-seq', '', ';;;', 'application/', 'application/vnd.kubernetes.protobuf;stream=watch', 'text/html; charset=utf-8'];
  switch (g.rng.int(4)) {
    case 0: {
      const type = g.rng.pick(unknown);
      // An empty media type is read as JSON (as Go's decoder does), so that one may succeed.
      const harmless = type === '';
      return { category: 'wrong-content-type', expect: harmless ? 'any' : 'fail', method: g.rng.pick(['POST', 'PUT']), path: harmless ? harmlessCreate(g, k).path : g.rng.chance(0.5) ? collectionPath(k) : itemPath(k), headers: jsonHeaders(g.fx, type), body: json };
    }
    case 1:
      // JSON labelled as protobuf.
      return { category: 'wrong-content-type', expect: 'fail', method: 'POST', path: collectionPath(k), headers: jsonHeaders(g.fx, 'application/vnd.kubernetes.protobuf'), body: json };
    case 2: {
      // Protobuf labelled as JSON or YAML.
      const pbKind = g.rng.pick(['Pod', 'ConfigMap', 'Namespace'] as const);
      const target = kinds.find((x) => x.kind === pbKind)!;
      return { category: 'wrong-content-type', expect: 'fail', method: 'POST', path: collectionPath(target), headers: jsonHeaders(g.fx, g.rng.pick(['application/json', 'application/yaml'])), body: protobufBody(pbKind, randomName(g.rng)) };
    }
    default:
      // A patch with a non-patch media type, or a create with a patch type.
      if (g.rng.chance(0.5)) return { category: 'wrong-content-type', expect: 'fail', method: 'PATCH', path: itemPath(k), headers: jsonHeaders(g.fx, g.rng.pick(['application/json', 'application/yaml', 'text/plain', 'application/vnd.kubernetes.protobuf'])), body: utf8('{"metadata":{"labels":{"x":"y"}}}') };
      return { category: 'wrong-content-type', expect: 'fail', method: 'POST', path: collectionPath(k), headers: jsonHeaders(g.fx, g.rng.pick(['application/json-patch+json', 'application/merge-patch+json'])), body: utf8('[{"op":"add","path":"/x","value":1}]') };
  }
};

/** Kind or apiVersion in the body disagrees with the URL. */
const wrongKind: Maker = (g) => {
  const k = g.rng.pick(kinds);
  const other = g.rng.pick(kinds.filter((x) => x !== k));
  const body = k.body(randomName(g.rng));
  if (g.rng.chance(0.5)) { body.kind = other.kind; body.apiVersion = other.apiVersion; } else body.apiVersion = g.rng.pick(['v2', 'apps/v1beta1', '', 'v1/v1', 7 as unknown as string]);
  if (body.apiVersion === k.apiVersion) body.apiVersion = 'v0';
  return { category: 'wrong-kind', expect: 'fail', method: g.rng.pick(['POST', 'PUT']), path: g.rng.chance(0.5) ? collectionPath(k) : itemPath(k), headers: jsonHeaders(g.fx), body: utf8(JSON.stringify(body)) };
};

/** Every other request, with its credentials broken: 401 (403 for another cluster's token), whatever it asked. */
const brokenAuth = (inner: BadInput, g: Gen): BadInput => {
  const header = g.rng.pick([
    undefined, '', 'Bearer', 'Bearer ', `bearer${g.fx.token}`, `Basic ${btoa('admin:admin')}`, `Bearer ${g.fx.token.slice(0, -3)}abc`,
    `Bearer ${g.fx.token}x`, `Bearer ${g.fx.token.split('.').slice(0, 2).join('.')}.`, `Bearer ${g.fx.token} ${g.fx.token}`, `Token ${g.fx.token}`,
    `Bearer ${'A'.repeat(9000)}`, 'Bearer \u00ff\u00fe', `Bearer ${g.fx.otherClusterToken}`, `Bearer ${g.fx.otherClusterToken.replace(/\.[^.]*$/, '.AAAA')}`,
    `Bearer eyJhbGciOiJub25lIn0.${btoa('{"sub":"x","cluster":"default"}').replace(/=/g, '')}.`,
  ]);
  const headers = { ...inner.headers };
  delete headers.authorization;
  if (header !== undefined) headers.authorization = header;
  return { ...inner, category: `broken-auth(${inner.category})`, expect: 'fail', headers };
};

/**
 * The root admin API (/clusters): wrong credentials, and with the right token bodies that
 * cannot create or change a cluster. Nothing here may touch `default` (an extend is legal).
 */
const adminApi: Maker = (g) => {
  const absent = g.rng.pick(['fuzz-missing-cluster', 'UPPER', 'a_b', 'x'.repeat(70), '-x', '%ff', 'a%2Fb']);
  if (g.rng.chance(0.3)) {
    const header = g.rng.pick([`Bearer ${g.fx.token}`, 'Bearer wrong-admin-token', `Bearer ${g.fx.adminToken}x`, `Basic ${btoa(`admin:${g.fx.adminToken}`)}`, g.fx.adminToken, '']);
    const method = g.rng.pick(['GET', 'POST', 'PATCH', 'DELETE']);
    return { category: 'admin-auth', expect: 'fail', method, path: g.rng.pick(['/clusters', '/clusters/fuzz-evil', '/clusters/default']), headers: { authorization: header, 'content-type': 'application/json' }, body: method === 'GET' ? undefined : utf8('{"name":"fuzz-evil","ttl":"1h"}') };
  }
  if (g.rng.chance(0.3)) return brokenSnapshot(g, absent);
  const headers = { authorization: `Bearer ${g.fx.adminToken}`, 'content-type': g.rng.pick(['application/json', 'application/json', 'application/yaml', 'text/plain']) };
  const method = g.rng.pick(['POST', 'POST', 'POST', 'PATCH', 'DELETE', 'GET', 'PUT', 'PROPFIND']);
  if (method !== 'POST') {
    const body = method === 'PATCH' || method === 'PUT' ? utf8(g.rng.pick(['{"ttl":"1h"}', '{"ttl":{}}', '[', 'null'])) : undefined;
    // Reads may succeed, and deleting a cluster that does not exist is idempotent (200); nothing else here can.
    const path = g.rng.chance(0.8) ? `/clusters/${absent}` : '/clusters';
    const harmless = method === 'GET' || (method === 'DELETE' && path === '/clusters/fuzz-missing-cluster');
    return { category: 'admin-body', expect: harmless ? 'any' : 'fail', method, path, headers, body };
  }
  const valid = { name: 'fuzz-admin', ttl: '1h', nodes: 2, kubernetesVersion: 'v1.35.0' };
  const broken: Array<Record<string, unknown>> = [
    { name: g.rng.pick(['UPPER', 'a_b', 'x'.repeat(70), '-x', 'a.b']) }, { name: 'default' }, { name: 7 }, { name: null }, { name: ['a'] }, { ttl: 'abc' }, { ttl: -5 }, { ttl: 1.5 }, { ttl: '1e99' }, { ttl: {} }, { ttl: [] },
    { ttl: true }, { ttl: null }, { ttl: '1y' }, { ttl: '0s' }, { nodes: 0 }, { nodes: 1000 }, { nodes: ['A'] }, { nodes: ['a', 'a'] }, { nodes: 'two' }, { nodes: {} },
    { kubernetesVersion: '2' }, { kubernetesVersion: 135 }, { kubernetesVersion: 'v1.35.0; rm -rf /' },
  ];
  const body = g.rng.chance(0.15)
    ? g.rng.pick(['{', '[]', '"x"', 'null', '{"name":"fuzz-admin"', 'x'.repeat(70_000), '\u0000'])
    : JSON.stringify({ ...valid, ...g.rng.pick(broken) });
  return { category: 'admin-body', expect: 'fail', method, path: '/clusters', headers, body: utf8(body) };
};

/**
 * Snapshot files that must not restore: restored into `default` (whose uid no header here
 * names, so even a well-formed file is another cluster's) or made into a new cluster. Each
 * is refused whole, and `default` keeps every object.
 */
function brokenSnapshot(g: Parameters<Maker>[0], absent: string): ReturnType<Maker> {
  const header = (over: Record<string, unknown> = {}) => JSON.stringify({
    apiVersion: 'apiserverless.dev/v1', kind: 'ClusterSnapshot', format: 1, revision: 5, takenAt: '2026-01-01T00:00:00Z', objects: 1,
    cluster: { name: 'default', uid: 'fuzz-uid', createdAt: '2026-01-01T00:00:00Z', nodes: ['controlplane'], kubernetesVersion: 'v1.35.0' }, ...over,
  });
  const line = (key: string, metadata: unknown) => JSON.stringify({ key, value: { metadata } });
  const ok = line('core/configmaps/default/x', { name: 'x', namespace: 'default' });
  const texts = [
    '', 'x', '\u0000', '{}', 'null', '[1]', header({ kind: 'Pod' }), header({ format: 2 }), header({ format: '1' }), header({ objects: -1 }), header({ revision: 1.5 }),
    header({ cluster: { name: 'UPPER' } }), header({ cluster: null }), header({ objects: 2 }) + '\n' + ok, header({ objects: 0 }) + '\n' + ok, header() + '\n' + '{',
    header() + '\n' + line('apiserverless.dev/clusters/default', { name: 'default' }), header() + '\n' + line('core/configmaps/default/../x', { name: 'x' }),
    header() + '\n' + line('core/configmaps/default/x', { name: 'y', namespace: 'default' }), header() + '\n' + line('a/b', { name: 'b' }),
    header() + '\n' + JSON.stringify({ key: 5, value: {} }), header({ objects: 2 }) + '\n' + ok + '\n' + ok, header() + '\n' + 'x'.repeat(70_000),
  ];
  // Well-formed files only go to `default`, whose uid they do not name: refused as another cluster's.
  const wellFormed = [header() + '\n' + ok, header({ objects: 0 })];
  const intoDefault = g.rng.chance(0.25);
  const text = g.rng.pick(intoDefault ? [...texts, ...wellFormed] : texts);
  const bytes = g.rng.chance(0.2)
    ? g.rng.pick([new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]), new Uint8Array([0x1f, 0x8b]), gzipSync(text).subarray(0, 12), gzipSync(text)])
    : utf8(text);
  const headers = { authorization: `Bearer ${g.fx.adminToken}`, 'content-type': g.rng.pick(['application/gzip', 'application/x-ndjson', 'application/octet-stream']) };
  if (intoDefault) return { category: 'admin-snapshot', expect: 'fail', method: 'PUT', path: '/clusters/default/snapshot', headers, body: bytes };
  switch (g.rng.int(3)) {
    case 0: return { category: 'admin-snapshot', expect: 'fail', method: 'POST', path: `/clusters?name=fuzz-snapshot&ttl=1h`, headers, body: bytes };
    case 1: return { category: 'admin-snapshot', expect: 'fail', method: 'PUT', path: `/clusters/${absent}/snapshot`, headers, body: bytes };
    default: return { category: 'admin-snapshot', expect: 'fail', method: 'GET', path: `/clusters/${absent}/${g.rng.pick(['snapshot', 'history'])}`, headers };
  }
}

const existingKinds = kinds.filter((k) => k.kind !== 'Deployment');
const pod = kinds.find((k) => k.kind === 'Pod')!;

/** DeleteOptions of the wrong shape: refused, never skipped (a skipped `dryRun: "All"` deletes for real). */
const brokenDeleteOptions = [
  '{"dryRun":"All"}', '{"dryRun":["Maybe"]}', '{"dryRun":[5]}', '{"dryRun":{}}', '{"preconditions":"x"}', '{"preconditions":[]}', '{"preconditions":{"uid":5}}',
  '{"preconditions":{"uid":"not-the-uid"}}', '{"preconditions":{"resourceVersion":"1"}}', '{"gracePeriodSeconds":"5"}', '{"gracePeriodSeconds":1.5}',
  '{"kind":"Pod"}', '{"kind":5}', '{"apiVersion":7}', '{"propagationPolicy":"Bogus"}', '{"propagationPolicy":5}', '{"orphanDependents":"yes"}',
  '{"orphanDependents":true,"propagationPolicy":"Background"}', '[1]', '"x"', '{', '5',
];

/** DELETE with broken options, and the pod's subresources (eviction, binding, status, log) with broken input. */
const deletesAndSubresources: Maker = (g) => {
  const podPath = itemPath(pod);
  switch (g.rng.int(6)) {
    case 0:
    case 1: {
      const k = g.rng.pick(existingKinds);
      return { category: 'delete-options', expect: 'fail', method: 'DELETE', path: itemPath(k), headers: jsonHeaders(g.fx), body: utf8(g.rng.pick(brokenDeleteOptions)) };
    }
    case 2: {
      const broken = [
        '', '{', '[]', '{"kind":"Pod"}', '{"apiVersion":"v9","kind":"Eviction"}', '{"kind":"Eviction","metadata":"x"}', '{"kind":"Eviction","metadata":[]}',
        '{"kind":"Eviction","metadata":{"name":"other"}}', '{"kind":"Eviction","metadata":{"name":"fuzz-pod","namespace":"elsewhere"}}',
        ...brokenDeleteOptions.filter((o) => o !== '{').map((o) => `{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"fuzz-pod"},"deleteOptions":${o}}`),
      ];
      if (g.rng.chance(0.2)) {
        // A valid eviction, as a dry run: accepted, and nothing may change.
        return { category: 'eviction', expect: 'any', method: 'POST', path: `${podPath}/eviction?dryRun=All`, headers: jsonHeaders(g.fx), body: utf8('{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"fuzz-pod"}}') };
      }
      const body = g.rng.pick(broken);
      return { category: 'eviction', expect: 'fail', method: 'POST', path: `${podPath}/eviction`, headers: jsonHeaders(g.fx), body: body ? utf8(body) : undefined };
    }
    case 3: {
      const broken = [
        '{"kind":"Pod"}', '{"apiVersion":"v1","kind":"Binding","metadata":{"name":"fuzz-pod"}}', '{"kind":"Binding","target":"node01"}', '{"kind":"Binding","target":[]}',
        '{"kind":"Binding","metadata":{"name":"fuzz-pod"},"target":{"kind":"Pod","name":"node01"}}', '{"kind":"Binding","metadata":{"name":"other"},"target":{"name":"node01"}}',
        '{"kind":"Binding","target":{"name":5}}', '{', '',
      ];
      const body = g.rng.pick(broken);
      return { category: 'binding', expect: 'fail', method: 'POST', path: `${podPath}/binding`, headers: jsonHeaders(g.fx), body: body ? utf8(body) : undefined };
    }
    case 4: {
      const k = g.rng.pick(existingKinds.filter((x) => x.kind === 'Pod' || x.kind === 'Namespace'));
      if (g.rng.chance(0.5)) {
        const body = mutatedBody(g, k, k.existing, true);
        (body.metadata as JsonObject).resourceVersion = '1';
        return { category: 'status', expect: 'fail', method: 'PUT', path: `${itemPath(k)}/status`, headers: jsonHeaders(g.fx), body: utf8(JSON.stringify(body)) };
      }
      const type = g.rng.pick(['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json']);
      const patch = type === 'application/json-patch+json' ? '[{"op":"replace","path":"/status/phase","value":7}]' : JSON.stringify({ status: wrongValue(g.rng) });
      return { category: 'status', expect: 'any', method: 'PATCH', path: `${itemPath(k)}/status?dryRun=All`, headers: jsonHeaders(g.fx, type), body: utf8(patch) };
    }
    default: {
      const params = ['tailLines=abc', 'tailLines=-5', 'sinceSeconds=0', 'sinceSeconds=abc', 'sinceTime=yesterday', 'limitBytes=-1', 'limitBytes=1e99', 'container=nope', 'previous=maybe', 'follow=yes', 'timestamps=2', 'follow=true'];
      return { category: 'log', expect: 'any', watch: true, method: 'GET', path: `${podPath}/log?${g.rng.pick(params)}&${g.rng.pick(params)}`, headers: jsonHeaders(g.fx) };
    }
  }
};

/**
 * Inputs whose parsing once cost more than linear time, or that kube-apiserver bounds:
 * selectors of tens of thousands of characters, quantities of hundreds of thousands of
 * digits, long lists reordered by strategic merge patch, ConfigMap and Secret data over
 * 1 MiB, and big Secret stringData. Each is refused, or accepted only where that changes
 * nothing (dry runs, a namespace that does not exist).
 */
const parserLimits: Maker = (g) => {
  const k = g.rng.pick(kinds);
  const list = collectionPath(k);
  const size = (min: number, max: number) => min + g.rng.int(max - min);
  // Under the Node entry's 64 KiB of request line and headers.
  const long = () => size(1_000, 60_000);
  const podWith = (requests: JsonObject): JsonObject => {
    const body = pod.body(randomName(g.rng));
    ((body.spec as JsonObject).containers as JsonObject[])[0].resources = { requests, limits: requests };
    return body;
  };
  switch (g.rng.int(9)) {
    case 0: {
      const selector = g.rng.pick([
        () => `a${'+'.repeat(long())}b`, () => `a${'+'.repeat(long())}`, () => `metadata.name${'+'.repeat(long())}`, () => `x=${'a%3D'.repeat(long() / 4)}`,
        () => `x=${'%5C'.repeat(long() / 3)}q`, () => `${'a,'.repeat(long() / 2)}`,
      ])();
      return { category: 'long-field-selector', expect: 'fail', method: 'GET', path: withQuery(list, `fieldSelector=${selector}`), headers: jsonHeaders(g.fx) };
    }
    case 1:
      // A valid one: an empty list (or the fixture, for a name that happens to match nothing).
      return { category: 'long-field-selector', expect: 'any', method: 'GET', path: withQuery(list, `fieldSelector=metadata.name%3D${'x'.repeat(long())}`), headers: jsonHeaders(g.fx) };
    case 2: {
      const selector = g.rng.pick([
        () => `app%3D${'x'.repeat(long())}`, () => `a${'+'.repeat(long())}b`, () => `${'a.'.repeat(long() / 2)}b%3Dc`, () => `app+in+(${'v,'.repeat(long() / 2)}${'w'.repeat(64)})`,
        () => `n%3E${'9'.repeat(long())}`, () => `${'!'.repeat(long())}a`, () => `${'('.repeat(long())}`,
      ])();
      const watch = g.rng.chance(0.2);
      return { category: 'long-label-selector', expect: 'fail', watch, method: 'GET', path: withQuery(list, `${watch ? 'watch=true&' : ''}labelSelector=${selector}`), headers: jsonHeaders(g.fx) };
    }
    case 3: {
      // Malformed: the decoder's 400, wherever the quantity sits.
      const digits = '1'.repeat(size(1_000, 250_000));
      const bad = g.rng.pick([`${digits}x`, `${digits}.${digits}.1`, `1e${digits}`, `${digits}MMi`, `.e-${digits}`, `-${digits}%`]);
      const resource = g.rng.pick(['cpu', 'memory', 'ephemeral-storage', 'example.com/gpu']);
      return { category: 'huge-quantity', expect: 'fail', method: 'POST', path: collectionPath(pod), headers: jsonHeaders(g.fx), body: utf8(JSON.stringify(podWith({ [resource]: bad }))) };
    }
    case 4: {
      // Well-formed and absurd: kube-apiserver takes it; here only as a dry run or into a missing namespace.
      const digits = g.rng.pick(['9', '1', '0']).repeat(size(1_000, 250_000));
      const body = podWith({ cpu: g.rng.pick([digits, `${digits}Ei`, `0.${digits}`, `-${digits}`, `1e${'9'.repeat(9)}`]) });
      return { category: 'huge-quantity', expect: 'any', method: 'POST', ...harmlessCreate(g, pod), headers: jsonHeaders(g.fx), body: utf8(JSON.stringify(body)) };
    }
    case 5: {
      // Thousands of finalizers reordered by a strategic merge patch, as a dry run of the fixture.
      const n = size(1_000, 20_000);
      const names = Array.from({ length: n }, (_, i) => `example.com/f${i}`);
      const target = g.rng.pick(existingKinds);
      const reversed = [...names].reverse();
      const patch = g.rng.chance(0.5)
        ? { metadata: { finalizers: reversed } }
        : { metadata: { '$setElementOrder/finalizers': reversed, finalizers: reversed.slice(0, n / 2), '$deleteFromPrimitiveList/finalizers': names.slice(0, 10) } };
      return { category: 'huge-list-patch', expect: 'any', method: 'PATCH', path: withQuery(itemPath(target), 'dryRun=All'), headers: jsonHeaders(g.fx, 'application/strategic-merge-patch+json'), body: utf8(JSON.stringify(patch)) };
    }
    case 6: {
      // Thousands of containers merged, deleted and reordered by merge key: a pod's containers may not change (422), a dry run at most.
      const n = size(500, 5_000);
      const containers = Array.from({ length: n }, (_, i) => ({ name: `c${i}`, image: 'nginx' }));
      const patch = { spec: {
        '$setElementOrder/containers': containers.map((c) => ({ name: c.name })).reverse(),
        containers: [...containers.slice(0, n / 2).reverse(), { name: 'web', $patch: 'delete' }],
      } };
      return { category: 'huge-list-patch', expect: 'any', method: 'PATCH', path: withQuery(itemPath(pod), g.rng.chance(0.5) ? 'dryRun=All' : ''), headers: jsonHeaders(g.fx, 'application/strategic-merge-patch+json'), body: utf8(JSON.stringify(patch)) };
    }
    case 7: {
      // Over the 1 MiB of ConfigMap data (counted in bytes, binaryData decoded) or Secret data (decoded, stringData included).
      const over = 1024 * 1024 + 1 + g.rng.int(1024 * 1024);
      const name = randomName(g.rng);
      const body = g.rng.pick([
        () => ({ path: collectionPath(kinds.find((x) => x.kind === 'ConfigMap')!), body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'x'.repeat(over) } } }),
        () => ({ path: collectionPath(kinds.find((x) => x.kind === 'ConfigMap')!), body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'é'.repeat(over / 2) } } }),
        () => ({ path: collectionPath(kinds.find((x) => x.kind === 'ConfigMap')!), body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'x'.repeat(1024 * 1024) }, binaryData: { b: 'AAAA' } } }),
        () => ({ path: `/api/v1/namespaces/${fixtureNamespace}/secrets`, body: { apiVersion: 'v1', kind: 'Secret', metadata: { name }, data: { a: btoa('x'.repeat(over)) } } }),
        () => ({ path: `/api/v1/namespaces/${fixtureNamespace}/secrets`, body: { apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: { a: 'x'.repeat(over) } } }),
        () => ({ path: `/api/v1/namespaces/${fixtureNamespace}/secrets`, body: { apiVersion: 'v1', kind: 'Secret', metadata: { name }, data: { a: btoa('x'.repeat(1024 * 1024)) }, stringData: { b: 'y' } } }),
      ])();
      return { category: 'oversized-data', expect: 'fail', method: 'POST', path: body.path, headers: jsonHeaders(g.fx), body: utf8(JSON.stringify(body.body)) };
    }
    default: {
      // A big stringData (once a stack overflow in its base64 encoding): valid, so only a dry run or into a missing namespace.
      const text = g.rng.pick(['x', 'ü', '€', '💥', 'ascii and ü€💥 ']).repeat(size(10_000, 300_000) / 4);
      const path = g.rng.chance(0.5) ? `/api/v1/namespaces/${missingNamespace}/secrets` : `/api/v1/namespaces/${fixtureNamespace}/secrets?dryRun=All`;
      return { category: 'big-string-data', expect: 'any', method: 'POST', path, headers: jsonHeaders(g.fx), body: utf8(JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: randomName(g.rng) }, stringData: { big: text } })) };
    }
  }
};

/** Valid requests, so a run also proves the server still answers normally. */
const valid: Maker = (g) => {
  const k = g.rng.pick(existingKinds);
  const cases: Array<() => BadInput> = [
    () => ({ category: 'valid', expect: 'ok', method: 'GET', path: itemPath(k) }),
    () => ({ category: 'valid', expect: 'ok', method: 'GET', path: withQuery(collectionPath(k), 'limit=2&labelSelector=app%3Dfuzz') }),
    () => ({ category: 'valid', expect: 'ok', method: 'GET', path: g.rng.pick(['/api', '/apis', '/api/v1', '/apis/apps/v1', '/version']) }),
    () => ({ category: 'valid', expect: 'ok', method: 'POST', path: withQuery(collectionPath(k), 'dryRun=All'), body: utf8(JSON.stringify(k.body(randomName(g.rng)))) }),
    () => ({ category: 'valid', expect: 'ok', method: 'PATCH', path: withQuery(itemPath(k), 'dryRun=All'), headers: { 'content-type': 'application/merge-patch+json' }, body: utf8('{"metadata":{"labels":{"patched":"yes"}}}') }),
  ];
  const req = g.rng.pick(cases)();
  return { ...req, headers: { ...jsonHeaders(g.fx), ...req.headers } };
};

const table: Array<[weight: number, make: Maker]> = [
  [10, truncated], [6, brokenSyntax], [14, wrongType], [1, huge], [3, deepNesting], [12, invalidNamesGen], [12, badQuery],
  [7, unknownPathsAndVerbs], [12, badPatch], [6, wrongContentType], [4, wrongKind], [3, adminApi], [5, deletesAndSubresources], [2, parserLimits], [3, valid],
];
const totalWeight = table.reduce((s, [w]) => s + w, 0);

/**
 * `count` malformed requests from `seed` (and the valid ones drawn among them), made
 * one at a time as they are pulled, so the big ones never pile up in memory; about one
 * in ten has its credentials broken on top.
 */
export function* generateBadInputs(seed: number, count: number, fx: Fixtures): Generator<BadInput> {
  const g: Gen = { rng: new Rng(seed), fx };
  for (let malformed = 0; malformed < count;) {
    let roll = g.rng.float() * totalWeight;
    let gen = table[table.length - 1][1];
    for (const [w, candidate] of table) { if ((roll -= w) < 0) { gen = candidate; break; } }
    const req = gen(g);
    if (req.category === 'valid') { yield req; continue; }
    malformed++;
    yield g.rng.chance(0.1) ? brokenAuth(req, g) : req;
  }
}
