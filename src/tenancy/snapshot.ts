import { ApiError, badRequest, tooLarge } from '../apimachinery/errors.ts';
import { clusterPrefix, type KeyValue } from '../storage/store.ts';
import { clusterNameRe, type ClusterRecord } from './clusters.ts';

/**
 * A cluster snapshot (`apiserverless cluster snapshot alice > alice.snap`): what etcdctl's
 * `snapshot save` is to a kubeadm cluster. The file is gzip'd JSON lines (restore also takes
 * them uncompressed, so a teacher can `zcat alice.snap | jq` or edit one):
 *
 *   {"apiVersion":"apiserverless.dev/v1","kind":"ClusterSnapshot","format":1,
 *    "cluster":{"name","uid","createdAt","nodes","kubernetesVersion"},
 *    "revision":N,"takenAt":"…","objects":M}                  the header, first line
 *   {"key":"core/configmaps/default/app","value":{…}}          one line per stored object,
 *   …                                                          M of them, keys in ascending order
 *
 * A key is the etcd key under the cluster's prefix (`/registry/<cluster>/`), so a snapshot
 * can be restored into a cluster of another name; a value is the object exactly as stored
 * (no resourceVersion: that is the store's). Every object is there, events included; the
 * cluster's identity is not: its record (name, uid, expiry) and its CA's key stay with the
 * cluster, as a kubeadm cluster's PKI lives on disk, not in etcd.
 */

export const snapshotFormat = 1;

export interface SnapshotHeader {
  apiVersion: 'apiserverless.dev/v1';
  kind: 'ClusterSnapshot';
  format: typeof snapshotFormat;
  /** The cluster the snapshot was taken of, as its record said. */
  cluster: Pick<ClusterRecord, 'name' | 'uid' | 'createdAt' | 'nodes' | 'kubernetesVersion'>;
  /** The revision the objects were read at. */
  revision: number;
  takenAt: string;
  /** How many object lines follow: a truncated file is told from a complete one. */
  objects: number;
}

/** One stored object: its key under the cluster's prefix and its value (JSON text, as stored). */
export interface SnapshotRecord { key: string; value: string }

export interface Snapshot { header: SnapshotHeader; records: SnapshotRecord[] }

/** The keys of a cluster's identity (its record, its CA): never in a snapshot, never replaced by a restore. */
export const identityPrefix = (cluster: string) => `${clusterPrefix(cluster)}apiserverless.dev/`;
const identitySegment = 'apiserverless.dev/';

/** The snapshot of a cluster's records, read at one revision. */
export function snapshotOf(record: ClusterRecord, kvs: KeyValue[], revision: number, takenAt: string): Snapshot {
  const prefix = clusterPrefix(record.name);
  const records = kvs.filter((kv) => !kv.key.startsWith(identityPrefix(record.name))).map((kv) => ({ key: kv.key.slice(prefix.length), value: kv.value }));
  const { name, uid, createdAt, nodes, kubernetesVersion } = record;
  return {
    header: { apiVersion: 'apiserverless.dev/v1', kind: 'ClusterSnapshot', format: snapshotFormat, cluster: { name, uid, createdAt, nodes, kubernetesVersion }, revision, takenAt, objects: records.length },
    records,
  };
}

/** The JSON lines of a snapshot; values are stored JSON, so they are written as they are. */
export function encodeSnapshot(snapshot: Snapshot): string {
  const lines = [JSON.stringify(snapshot.header)];
  for (const r of snapshot.records) lines.push(`{"key":${JSON.stringify(r.key)},"value":${r.value}}`);
  return lines.join('\n') + '\n';
}

export async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const isGzip = (bytes: Uint8Array) => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** Decompresses at most `max` bytes: a small file that inflates to gigabytes is refused, not inflated. */
async function gunzip(bytes: Uint8Array, max: number): Promise<Uint8Array> {
  const reader = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel().catch(() => {});
        throw tooLarge(`the snapshot is larger than ${max} bytes uncompressed`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw invalidSnapshot('the file is damaged: its gzip stream is incomplete or corrupt');
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) { out.set(c, offset); offset += c.byteLength; }
  return out;
}

const invalidSnapshot = (why: string) => badRequest(`invalid cluster snapshot: ${why}`);
const notASnapshot = () => invalidSnapshot(`it is not an apiserverless cluster snapshot (its first line must be a ClusterSnapshot header, format ${snapshotFormat}; an etcd snapshot.db cannot be restored here): take one with \`apiserverless cluster snapshot NAME > NAME.snap\``);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isTimestamp = (v: unknown) => typeof v === 'string' && v.length <= 64 && !Number.isNaN(Date.parse(v));
/** A key segment: what kube allows in names, groups and resources, and nothing a path could play tricks with. */
const isSegment = (s: string) => s.length > 0 && s.length <= 253 && s !== '.' && s !== '..' && !/[\u0000-\u001f\u007f\s]/.test(s);

function header(line: string): SnapshotHeader {
  let h: unknown;
  try { h = JSON.parse(line); } catch { throw notASnapshot(); }
  if (!isObject(h) || h.apiVersion !== 'apiserverless.dev/v1' || h.kind !== 'ClusterSnapshot') throw notASnapshot();
  if (h.format !== snapshotFormat) throw invalidSnapshot(`format ${JSON.stringify(h.format)} is not supported: this server reads format ${snapshotFormat}`);
  const c = h.cluster;
  const valid = isObject(c) && typeof c.name === 'string' && (clusterNameRe.test(c.name))
    && typeof c.uid === 'string' && c.uid.length > 0 && c.uid.length <= 64 && isTimestamp(c.createdAt)
    && Array.isArray(c.nodes) && c.nodes.length >= 1 && c.nodes.length <= 50 && c.nodes.every((n) => typeof n === 'string' && clusterNameRe.test(n))
    && typeof c.kubernetesVersion === 'string' && /^v1\.\d{1,2}\.\d{1,2}$/.test(c.kubernetesVersion);
  if (!valid) throw invalidSnapshot('line 1: cluster must name the cluster (name, uid, createdAt, nodes, kubernetesVersion) it was taken of');
  if (!Number.isSafeInteger(h.revision) || (h.revision as number) < 0) throw invalidSnapshot('line 1: revision must be a non-negative integer');
  if (!Number.isSafeInteger(h.objects) || (h.objects as number) < 0) throw invalidSnapshot('line 1: objects must be a non-negative integer');
  if (!isTimestamp(h.takenAt)) throw invalidSnapshot('line 1: takenAt must be a timestamp');
  const { name, uid, createdAt, nodes, kubernetesVersion } = c as SnapshotHeader['cluster'];
  return { apiVersion: 'apiserverless.dev/v1', kind: 'ClusterSnapshot', format: snapshotFormat, cluster: { name, uid, createdAt, nodes: [...nodes], kubernetesVersion }, revision: h.revision as number, takenAt: h.takenAt as string, objects: h.objects as number };
}

/** One object line: a key under the cluster (not its identity) and the object it names. */
function record(line: string, n: number, previous: string | undefined): SnapshotRecord {
  const at = `line ${n}`;
  let parsed: unknown;
  try { parsed = JSON.parse(line); } catch { throw invalidSnapshot(`${at} is not JSON`); }
  if (!isObject(parsed) || typeof parsed.key !== 'string' || !isObject(parsed.value) || Object.keys(parsed).length !== 2) throw invalidSnapshot(`${at} must be {"key": "<group>/<resource>/[<namespace>/]<name>", "value": {<object>}}`);
  const { key, value } = parsed as { key: string; value: Record<string, unknown> };
  const segments = key.split('/');
  if (key.length > 1024 || (segments.length !== 3 && segments.length !== 4) || !segments.every(isSegment)) throw invalidSnapshot(`${at}: key ${JSON.stringify(key.slice(0, 200))} is not <group>/<resource>/[<namespace>/]<name>`);
  if (key.startsWith(identitySegment)) throw invalidSnapshot(`${at}: key ${JSON.stringify(key)} is the cluster's own (its record or CA), which a snapshot never carries`);
  if (previous !== undefined && key <= previous) throw invalidSnapshot(`${at}: key ${JSON.stringify(key)} is out of order or repeated (keys ascend)`);
  const metadata = value.metadata;
  const namespace = segments.length === 4 ? segments[2] : undefined;
  if (!isObject(metadata) || metadata.name !== segments[segments.length - 1] || (metadata.namespace ?? undefined) !== namespace) {
    throw invalidSnapshot(`${at}: the object's metadata.name and metadata.namespace must be those its key names`);
  }
  return { key, value: JSON.stringify(value) };
}

/**
 * A snapshot file, validated whole before anything is restored from it: gzip'd or plain JSON
 * lines, at most `maxBytes` uncompressed. Every problem is a 400 naming the line; each line is
 * parsed once, so the work is linear in the file.
 */
export async function readSnapshot(bytes: Uint8Array, maxBytes: number): Promise<Snapshot> {
  if (bytes.byteLength > maxBytes) throw tooLarge(`the snapshot is larger than ${maxBytes} bytes`);
  const raw = isGzip(bytes) ? await gunzip(bytes, maxBytes) : bytes;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw notASnapshot();
  }
  let start = 0;
  const next = (): string | undefined => {
    if (start >= text.length) return undefined;
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    return line;
  };
  const first = next();
  if (first === undefined) throw notASnapshot();
  const h = header(first);
  const records: SnapshotRecord[] = [];
  for (let line = next(), n = 2; line !== undefined; line = next(), n++) {
    if (line === '' && start >= text.length) break; // the final newline
    if (records.length === h.objects) throw invalidSnapshot(`line ${n}: the header says ${h.objects} objects follow, and more do`);
    records.push(record(line, n, records[records.length - 1]?.key));
  }
  if (records.length !== h.objects) throw invalidSnapshot(`the header says ${h.objects} objects follow, but ${records.length} do: the file is truncated`);
  return { header: h, records };
}

/** The largest snapshot file (and its uncompressed text) restore reads: ample room for a cluster at its byte budget, keys and line framing included, beside the system's own objects. */
export const maxSnapshotBytes = (maxClusterBytes: number) => 2 * maxClusterBytes + 16 * 1024 * 1024;
