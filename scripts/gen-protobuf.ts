/**
 * The Kubernetes protobuf wire schema, derived from upstream definitions.
 *
 *   npx tsx scripts/gen-protobuf.ts            writes src/schema/protobufGenerated.ts from third_party/
 *   npx tsx scripts/gen-protobuf.ts --check    exits 1 if that file is not what the generator writes
 *   npx tsx scripts/gen-protobuf.ts vendor k8s.io/api=<git dir> k8s.io/apimachinery=<git dir> …
 *                                              refreshes third_party/ from upstream git repositories
 *
 * What comes from where (third_party/README.md says which tags):
 * - Field numbers and wire types: each package's `generated.proto` (go-to-protobuf's output,
 *   the definitions client-go's generated code marshals by).
 * - The JSON view of each field: the Go struct it was generated from (the package's types.go
 *   and friends). Its `protobuf:"…,<number>,…"` tag ties a Go field to its proto field; its
 *   `json:"<name>,omitempty"` tag gives the JSON name (not always the proto name:
 *   `$ref`, `x-kubernetes-…`), whether a zero value is omitted, and `",inline"` for embedded
 *   structs; a `*T` type means presence is meaningful (`replicas: 0`). The .proto file's
 *   `optional` says none of this (every proto2 field is optional, pointer or not) and its
 *   `+optional` comments describe the API, not the Go encoding, so neither is used.
 * - Go named slices with a protobuf wrapper message (`type ExtraValue []string` is
 *   `message ExtraValue { repeated string items = 1; }`) read as a bare JSON array.
 *
 * Only the messages reachable from the kinds the server serves (src/registry/resources), their
 * lists, their subresources' kinds and the meta/v1 kinds are kept. The output is a compact
 * text table, parsed lazily by src/server/protobuf.ts: one string per message,
 * `<number> <json name> <type>[flags]` entries joined by `;`, where type is a scalar
 * (string int32 int64 bool bytes double), a message (`Name` in the same package, `pkg.Name`
 * in another), `[]T` (repeated) or `{}T` (map<string, T>); flags: `?` a Go pointer, `!` no
 * omitempty, `^` an embedded (inline) struct.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const thirdParty = join(root, 'third_party');
const outFile = join(root, 'src/schema/protobufGenerated.ts');

/** The upstream packages, by Go module, at the tags that match kubectl v1.35. */
export const upstream = [
  {
    module: 'k8s.io/api', tag: 'v0.35.2', dirs: [
      'admissionregistration/v1', 'apps/v1', 'authentication/v1', 'authorization/v1', 'autoscaling/v1', 'autoscaling/v2',
      'batch/v1', 'certificates/v1', 'coordination/v1', 'core/v1', 'discovery/v1', 'events/v1', 'flowcontrol/v1',
      'networking/v1', 'node/v1', 'policy/v1', 'rbac/v1', 'resource/v1', 'scheduling/v1', 'storage/v1',
    ],
  },
  { module: 'k8s.io/apimachinery', tag: 'v0.35.2', dirs: ['pkg/apis/meta/v1', 'pkg/runtime', 'pkg/api/resource', 'pkg/util/intstr'] },
  { module: 'k8s.io/apiextensions-apiserver', tag: 'v0.35.2', dirs: ['pkg/apis/apiextensions/v1'] },
  { module: 'k8s.io/kube-aggregator', tag: 'v0.35.2', dirs: ['pkg/apis/apiregistration/v1'] },
  { module: 'k8s.io/metrics', tag: 'v0.35.2', dirs: ['pkg/apis/metrics/v1beta1'] },
  { module: 'github.com/google/gnostic-models', tag: 'v0.7.0', dirs: ['openapiv2'], protoFile: 'OpenAPIv2.proto' },
] as const;

// ---------------------------------------------------------------------------------------------
// vendor: upstream git repositories → third_party/ (declarations only, licence headers kept)

const licence = (text: string) => /^\/\*[\s\S]*?\*\/\n/.exec(text)?.[0] ?? '';

/** A .proto file without its comment lines (the licence block stays). */
export function stripProto(text: string): string {
  const head = licence(text);
  const body = text.slice(head.length).split('\n').filter((l) => !/^\s*\/\//.test(l)).join('\n');
  return `${head}\n// Vendored by scripts/gen-protobuf.ts: comment lines removed, declarations unchanged.\n${body.replace(/\n{3,}/g, '\n\n').trim()}\n`;
}

/** The type declarations of Go files (structs with their tagged fields, named slices and maps), comments removed. */
export function stripGo(files: string[]): string {
  const out: string[] = [];
  for (const text of files) {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (/^type \w+ struct \{\s*$/.test(line)) {
        const block = [line];
        for (i++; i < lines.length && lines[i] !== '}'; i++) {
          const field = lines[i].replace(/^\s+/, '\t');
          if (/^\s*(\/\/.*)?$/.test(field)) continue;
          block.push(field.replace(/\s+\/\/.*$/, ''));
        }
        block.push('}');
        out.push(block.join('\n'));
      } else if (/^type \w+ (\[\]|map\[)\S+\s*$/.test(line)) out.push(line.trim());
    }
  }
  return out.join('\n');
}

function vendor(args: string[]): void {
  const gitDirs = new Map(args.map((a) => a.split('=') as [string, string]));
  const readme: string[] = [];
  for (const source of upstream) {
    const git = gitDirs.get(source.module);
    if (!git) throw new Error(`no git directory given for ${source.module} (${source.module}=<dir>)`);
    const show = (path: string) => execFileSync('git', ['--git-dir', git, 'show', `${source.tag}:${path}`], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const commit = execFileSync('git', ['--git-dir', git, 'rev-parse', `${source.tag}^{commit}`], { encoding: 'utf8' }).trim();
    readme.push(`| ${source.module} | ${source.tag} | ${commit} | ${source.dirs.join(', ')} |`);
    for (const dir of source.dirs) {
      const target = join(thirdParty, source.module, dir);
      mkdirSync(target, { recursive: true });
      const protoName = 'protoFile' in source ? source.protoFile : 'generated.proto';
      writeFileSync(join(target, protoName), stripProto(show(`${dir}/${protoName}`)));
      if ('protoFile' in source) continue;
      const goFiles = execFileSync('git', ['--git-dir', git, 'ls-tree', '--name-only', `${source.tag}`, `${dir}/`], { encoding: 'utf8' })
        .split('\n').filter((f) => f.endsWith('.go') && !/(_test|generated\.pb|zz_generated\.\w+|generated\.protomessage\.pb)\.go$/.test(f));
      const kept = goFiles.map((f) => [f, show(f)] as const).filter(([, t]) => t.includes('protobuf:"'));
      const texts = kept.map(([, t]) => t);
      const header = licence(texts[0] ?? '');
      const pkg = /^package (\w+)/m.exec(texts[0] ?? '')?.[1] ?? 'x';
      const names = kept.map(([f]) => f.slice(dir.length + 1)).join(', ');
      writeFileSync(join(target, 'types.go'), `${header}\n// Vendored by scripts/gen-protobuf.ts: the type declarations of ${names}, comments removed.\n\npackage ${pkg}\n\n${stripGo(texts)}\n`);
    }
  }
  writeFileSync(join(thirdParty, 'SOURCES.md'), `# Vendored upstream definitions\n\nWritten by \`npx tsx scripts/gen-protobuf.ts vendor …\` (see third_party/README.md).\n\n| module | tag | commit | packages |\n| --- | --- | --- | --- |\n${readme.join('\n')}\n`);
}

// ---------------------------------------------------------------------------------------------
// parse: .proto files and Go struct declarations

interface ProtoField { name: string; number: number; type: string; label: 'optional' | 'repeated' | 'map'; mapValue?: string }
interface ProtoMessage { name: string; fields: ProtoField[] }
interface ProtoFile { pkg: string; messages: Map<string, ProtoMessage> }

/** proto2/proto3 message declarations (no nested messages in these files; oneof members are plain fields). */
export function parseProto(text: string): ProtoFile {
  const pkg = /^package ([\w.]+);/m.exec(text)?.[1] ?? '';
  const messages = new Map<string, ProtoMessage>();
  const body = text.replace(/\/\/.*$/gm, '');
  for (const m of body.matchAll(/^message (\w+) \{([\s\S]*?)^\}/gm)) {
    const fields: ProtoField[] = [];
    for (const f of m[2].matchAll(/^\s*(optional |repeated )?(map<\s*(\w+)\s*,\s*([\w.]+)\s*>|[\w.]+) (\w+) = (\d+)/gm)) {
      const [, label, type, , mapValue, name, number] = f;
      fields.push(mapValue
        ? { name, number: Number(number), type: 'map', label: 'map', mapValue }
        : { name, number: Number(number), type, label: label?.trim() === 'repeated' ? 'repeated' : 'optional' });
    }
    messages.set(m[1], { name: m[1], fields });
  }
  return { pkg, messages };
}

interface GoField { goType: string; json: string; omitempty: boolean; inline: boolean; number?: number }
interface GoTypes { structs: Map<string, GoField[]>; slices: Set<string> }

export function parseGo(text: string): GoTypes {
  const structs = new Map<string, GoField[]>();
  const slices = new Set<string>();
  for (const m of text.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
    const fields: GoField[] = [];
    for (const line of m[2].split('\n')) {
      const f = /^\t(?:(\w+)\s+)?([*\w.[\]]+)\s+`([^`]*)`/.exec(line);
      if (!f) continue;
      const [, name, goType, tags] = f;
      const json = /json:"([^"]*)"/.exec(tags)?.[1] ?? '';
      const [jsonName, ...opts] = json.split(',');
      const number = /protobuf:"\w+,(\d+),/.exec(tags)?.[1];
      fields.push({ goType, json: jsonName || (name ?? ''), omitempty: opts.includes('omitempty'), inline: opts.includes('inline') || (!name && !jsonName), number: number ? Number(number) : undefined });
    }
    structs.set(m[1], fields);
  }
  for (const m of text.matchAll(/^type (\w+) \[\]\S+\s*$/gm)) slices.add(m[1]);
  return { structs, slices };
}

// ---------------------------------------------------------------------------------------------
// generate: the table of every message reachable from the served kinds

/** Short package keys: the directory under its module (`core/v1`, `meta/v1`, `runtime`, `resource`, `intstr`). */
const packageKey = (module: string, dir: string) => {
  if (module === 'k8s.io/apimachinery') return dir.replace(/^pkg\/(apis\/|api\/|util\/)?/, '');
  if (module === 'github.com/google/gnostic-models') return 'openapi_v2';
  return dir.replace(/^pkg\/apis\//, '');
};

const scalars: Record<string, string> = { string: 'string', int32: 'int32', int64: 'int64', bool: 'bool', bytes: 'bytes', double: 'double', uint32: 'int64', uint64: 'int64', float: 'double' };

/**
 * Types with their own JSON marshalling in Go (a string, a number-or-string, raw JSON, …): their
 * wire fields keep their proto names, and src/server/protobuf.ts converts them to and from JSON.
 */
export const customJson = [
  'meta/v1.Time', 'meta/v1.MicroTime', 'meta/v1.Duration', 'meta/v1.FieldsV1', 'resource.Quantity', 'intstr.IntOrString',
  'runtime.RawExtension', 'apiextensions/v1.JSON', 'apiextensions/v1.JSONSchemaPropsOrArray', 'apiextensions/v1.JSONSchemaPropsOrBool',
  'apiextensions/v1.JSONSchemaPropsOrStringArray',
];

interface Loaded { key: string; proto: ProtoFile; go?: GoTypes; proto3: boolean }

function load(): Map<string, Loaded> {
  const byProtoPackage = new Map<string, Loaded>();
  for (const source of upstream) {
    for (const dir of source.dirs) {
      const base = join(thirdParty, source.module, dir);
      const protoName = 'protoFile' in source ? source.protoFile : 'generated.proto';
      const text = readFileSync(join(base, protoName), 'utf8');
      const proto = parseProto(text);
      const go = 'protoFile' in source ? undefined : parseGo(readFileSync(join(base, 'types.go'), 'utf8'));
      byProtoPackage.set(proto.pkg, { key: packageKey(source.module, dir), proto, go, proto3: /syntax = "proto3"/.test(text) });
    }
  }
  return byProtoPackage;
}

/** The kinds the server answers in protobuf: every served built-in kind, its list, and the kinds of subresources and options. */
async function servedKinds(): Promise<Map<string, Set<string>>> {
  const { resources } = await import('../src/registry/resources/index.ts');
  const out = new Map<string, Set<string>>();
  const add = (apiVersion: string, kind: string) => { if (!out.has(apiVersion)) out.set(apiVersion, new Set()); out.get(apiVersion)!.add(kind); };
  for (const def of resources) {
    const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
    add(apiVersion, def.kind);
    if (def.verbs.includes('list')) add(apiVersion, def.listKind ?? `${def.kind}List`);
  }
  // Subresource kinds (scale, eviction, token, binding) and the meta kinds every group version carries.
  for (const [apiVersion, kind] of [['autoscaling/v1', 'Scale'], ['policy/v1', 'Eviction'], ['authentication.k8s.io/v1', 'TokenRequest'], ['v1', 'Binding'], ['v1', 'Status'], ['v1', 'WatchEvent'], ['v1', 'DeleteOptions']]) add(apiVersion, kind);
  return out;
}

/** Which proto package holds a group version's kinds. */
function packageOfGroupVersion(apiVersion: string, loaded: Map<string, Loaded>, kind: string): string {
  if (['Status', 'WatchEvent', 'DeleteOptions'].includes(kind)) return 'k8s.io.apimachinery.pkg.apis.meta.v1';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const first = group === '' ? 'core' : group.replace(/\.k8s\.io$/, '').replace(/\.authorization$/, '').replace(/\.apiserver$/, '').split('.')[0];
  for (const [pkg, l] of loaded) if (l.key === `${first}/${version}`) return pkg;
  throw new Error(`no proto package for ${apiVersion} (${kind})`);
}

export async function generate(): Promise<string> {
  const loaded = load();
  const kinds = await servedKinds();
  const tables = new Map<string, Map<string, string>>(); // package key → message → entries
  const wrappers = new Set<string>();
  const pending: Array<[string, string]> = [];
  const kindTable: Record<string, Record<string, string>> = {};
  const qualified = (pkg: string, name: string) => `${loaded.get(pkg)!.key}.${name}`;

  for (const [apiVersion, names] of [...kinds].sort(([a], [b]) => a.localeCompare(b))) {
    for (const kind of [...names].sort()) {
      const pkg = packageOfGroupVersion(apiVersion, loaded, kind);
      if (!loaded.get(pkg)!.proto.messages.has(kind)) throw new Error(`${apiVersion} ${kind}: no message ${kind} in ${pkg}`);
      (kindTable[apiVersion] ??= {})[kind] = qualified(pkg, kind);
      pending.push([pkg, kind]);
    }
  }
  // gnostic's OpenAPI v2 Document, for /openapi/v2 in protobuf
  pending.push(['openapi.v2', 'Document']);

  const done = new Set<string>();
  while (pending.length) {
    const [pkg, name] = pending.pop()!;
    const id = `${pkg}.${name}`;
    if (done.has(id)) continue;
    done.add(id);
    const l = loaded.get(pkg);
    if (!l) throw new Error(`unknown proto package ${pkg}`);
    const message = l.proto.messages.get(name);
    if (!message) throw new Error(`unknown message ${id}`);
    const goFields = l.go?.structs.get(name);
    if (l.go?.slices.has(name)) wrappers.add(qualified(pkg, name));
    const entries: string[] = [];
    for (const field of [...message.fields].sort((a, b) => a.number - b.number)) {
      const resolve = (type: string): string => {
        if (scalars[type]) return scalars[type];
        if (type.startsWith('google.protobuf.')) return 'bytes'; // gnostic's google.protobuf.Any: kept opaque, never written
        const dot = type.lastIndexOf('.');
        const refPkg = type.startsWith('.') ? type.slice(1, dot) : pkg;
        const refName = type.slice(dot + 1);
        pending.push([refPkg, refName]);
        return refPkg === pkg ? refName : qualified(refPkg, refName);
      };
      let type = field.label === 'map' ? `{}${resolve(field.mapValue!)}` : resolve(field.type);
      if (field.label === 'repeated') type = `[]${type}`;
      let json = field.name;
      let flags = '';
      if (l.go && !customJson.includes(qualified(pkg, name))) {
        const go = goFields?.find((f) => f.number === field.number);
        if (!go) {
          if (!l.go.slices.has(name)) throw new Error(`${id}.${field.name} (${field.number}) has no Go field`);
        } else {
          json = go.json || field.name;
          if (go.inline) flags += '^';
          else {
            if (go.goType.startsWith('*')) flags += '?';
            if (!go.omitempty) flags += '!';
          }
        }
      } else if (l.proto3) flags = '';
      if (/[\s;]/.test(json) || !json) throw new Error(`${id}.${field.name}: unusable JSON name "${json}"`);
      entries.push(`${field.number} ${json} ${type}${flags}`);
    }
    if (!tables.has(l.key)) tables.set(l.key, new Map());
    tables.get(l.key)!.set(name, entries.join(';'));
  }

  const packages = [...tables.keys()].sort();
  const lines = [
    '// Generated by scripts/gen-protobuf.ts from third_party/ (upstream generated.proto files and Go type declarations): do not edit.',
    '// The format is described at the top of that script; src/server/protobuf.ts reads it.',
    '',
    '/** Message tables by package: message name → `<number> <json> <type>[flags]` entries joined by `;`. */',
    'export const packages: Readonly<Record<string, Readonly<Record<string, string>>>> = {',
    ...packages.flatMap((key) => [
      `  '${key}': {`,
      ...[...tables.get(key)!].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, entries]) => `    ${name}: '${entries}',`),
      '  },',
    ]),
    '};',
    '',
    '/** Types whose JSON form is their own (Go MarshalJSON): src/server/protobuf.ts converts each. */',
    `export const customJson: readonly string[] = ${JSON.stringify(customJson)};`,
    '',
    '/** Go named slices whose wire form is a message `{ repeated T items = 1 }`: their JSON is the bare array. */',
    `export const listWrappers: readonly string[] = ${JSON.stringify([...wrappers].sort())};`,
    '',
    '/** The kinds answered and accepted in protobuf, by apiVersion: kind → `package.Message`. */',
    'export const kinds: Readonly<Record<string, Readonly<Record<string, string>>>> = {',
    ...Object.entries(kindTable).map(([gv, ks]) => `  '${gv}': { ${Object.entries(ks).map(([k, m]) => `${k}: '${m}'`).join(', ')} },`),
    '};',
    '',
  ];
  return lines.join('\n');
}

const [command, ...args] = process.argv.slice(2);
if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('gen-protobuf.ts')) {
  if (command === 'vendor') vendor(args);
  else {
    const text = await generate();
    if (command === '--check') {
      const current = readFileSync(outFile, 'utf8');
      if (current !== text) { console.error('src/schema/protobufGenerated.ts is stale: run npx tsx scripts/gen-protobuf.ts'); process.exit(1); }
    } else {
      writeFileSync(outFile, text);
      console.log(`wrote ${outFile} (${text.length} bytes)`);
    }
  }
}
