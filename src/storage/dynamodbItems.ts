import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { KeyValue, StoreEvent } from './store.ts';
import { utf8Length } from '../apimachinery/utf8.ts';

/**
 * The single-table layout of the DynamoDB store. Every item of a cluster shares
 * the partition key `pk = <cluster>`, so one Query reads a range of objects or
 * of the change log, and dropping a cluster is one partition's worth of deletes:
 *
 *   sk = `meta`                      revision counter, safe and compacted revisions, expiry,
 *                                    and the cluster's incarnation (`live`) or drop tombstone (`dropping`)
 *   sk = `obj#<key>`                 the current record of a key (absent once deleted)
 *   sk = `log#<16-digit revision>`   the change made at that revision, or a VOID marker,
 *                                    tagged (`inc`) with the incarnation that wrote it
 *   sk = `blob#<key>#<16-digit revision>#<3-digit n>`
 *                                    a piece of the gzipped value a key had at a revision, for values
 *                                    too large to sit in the items that hold them (see encodeValue)
 *
 * Zero-padding makes the string order of log keys their revision order.
 * Keys are compared as DynamoDB does (UTF-8 bytes), which equals JavaScript's
 * order for the ASCII keys Kubernetes produces.
 */

export type Item = Record<string, AttributeValue>;

export const ttlAttribute = 'expiresAt';
export const metaSk = 'meta';
export const objectPrefix = 'obj#';
export const logPrefix = 'log#';
export const objectSk = (key: string) => objectPrefix + key;
export const logSk = (revision: number) => logPrefix + String(revision).padStart(16, '0');
export const revisionOfLogSk = (sk: string) => Number(sk.slice(logPrefix.length));

export const blobPrefix = 'blob#';
/** Where the pieces of the value `key` had at `revision` begin. */
export const blobSkPrefix = (key: string, revision: number) => `${blobPrefix}${key}#${String(revision).padStart(16, '0')}#`;

/** Values above this size are gzipped: a log item holds a value and its previous value under DynamoDB's 400 KB item limit. */
const compressAbove = 8 * 1024;
/**
 * A value still larger gzipped (an operator's CRD of several megabytes, random text) is kept in
 * pieces of its own, written before the transaction that commits the items naming it; an object
 * item and the log items of its write and of the next write of its key name the same pieces.
 */
const inlineGzBytes = 150 * 1024;
const pieceBytes = 300 * 1024;

/** A value as an item holds it: its text, its gzip, or the gzip's pieces kept apart (with the value's UTF-8 byte count). */
export type Encoded = { text: string } | { gz: Buffer } | { pieces: Buffer[]; bytes: number };

export function encodeValue(value: string): Encoded {
  if (value.length <= compressAbove) return { text: value };
  const gz = gzipSync(value);
  if (gz.length <= inlineGzBytes) return { gz };
  const pieces: Buffer[] = [];
  for (let at = 0; at < gz.length; at += pieceBytes) pieces.push(gz.subarray(at, at + pieceBytes));
  return { pieces, bytes: utf8Length(value) };
}

/** The items holding the pieces of an encoded value that `key` has at `revision` (none for one kept inline). */
export function blobItems(cluster: string, key: string, revision: number, encoded: Encoded, expiresAt?: number): Item[] {
  if (!('pieces' in encoded)) return [];
  return encoded.pieces.map((B, i) => withExpiry({ pk: { S: cluster }, sk: { S: blobSkPrefix(key, revision) + String(i).padStart(3, '0') }, B: { B } }, expiresAt));
}

/** `<name>Pieces` and `<name>At` name the pieces (how many, and the revision they are kept under); `<name>Bytes` the value's size. */
function setValue(item: Item, name: string, encoded: Encoded, revision: number): void {
  if ('text' in encoded) item[name] = { S: encoded.text };
  else if ('gz' in encoded) item[`${name}Gz`] = { B: encoded.gz };
  else {
    item[`${name}Pieces`] = n(encoded.pieces.length);
    item[`${name}At`] = n(revision);
    item[`${name}Bytes`] = n(encoded.bytes);
  }
}

/** Where an item's value named `name` is kept in pieces: the revision and count, or undefined if the item holds it. */
export function piecesOf(item: Item, name: 'value' | 'prevValue'): { revision: number; count: number } | undefined {
  const count = item[`${name}Pieces`]?.N;
  return count === undefined ? undefined : { revision: num(item, `${name}At`), count: Number(count) };
}

/** The item with a value kept in pieces put back in it (as its gzip), from the pieces' items in order. */
export function withPieces(item: Item, name: 'value' | 'prevValue', pieces: Item[]): Item {
  const out: Item = { ...item, [`${name}Gz`]: { B: Buffer.concat(pieces.map((p) => p.B.B!)) } };
  for (const suffix of ['Pieces', 'At', 'Bytes']) delete out[`${name}${suffix}`];
  return out;
}

function getValue(item: Item, name: string): string | undefined {
  const gz = item[`${name}Gz`]?.B;
  if (gz) return gunzipSync(gz).toString('utf8');
  return item[name]?.S;
}

const num = (item: Item, name: string): number => Number(item[name]?.N ?? 0);
const n = (value: number): AttributeValue => ({ N: String(value) });

function withExpiry(item: Item, expiresAt: number | undefined): Item {
  if (expiresAt) item[ttlAttribute] = n(expiresAt);
  return item;
}

export function objectItem(cluster: string, kv: KeyValue, expiresAt?: number, encoded = encodeValue(kv.value)): Item {
  const item: Item = { pk: { S: cluster }, sk: { S: objectSk(kv.key) }, key: { S: kv.key }, createRevision: n(kv.createRevision), modRevision: n(kv.modRevision) };
  setValue(item, 'value', encoded, kv.modRevision);
  return withExpiry(item, expiresAt);
}

export function kvFromObjectItem(item: Item): KeyValue {
  return { key: item.key.S!, value: getValue(item, 'value') ?? '', createRevision: num(item, 'createRevision'), modRevision: num(item, 'modRevision') };
}

/** recordBytes(key, value) of an object item, without decoding a compressed value to text. */
export function objectItemBytes(item: Item): number {
  if (item.valueBytes?.N) return utf8Length(item.key.S!) + num(item, 'valueBytes');
  const gz = item.valueGz?.B;
  return utf8Length(item.key.S!) + (gz ? gunzipSync(gz).length : utf8Length(item.value?.S ?? ''));
}

/**
 * A change-log item. A DELETE stores only the deleted record (its `kv` is that
 * record at the delete's revision); a PUT stores the new record and, for an
 * update, the previous one. `null` is a VOID marker: the revision was taken by a
 * write that did not commit, and can no longer be committed. `incarnation` (see
 * Meta) tells a watcher whether the entry belongs to the cluster it follows.
 */
export function logItem(
  cluster: string, revision: number, event: StoreEvent | null, expiresAt?: number, incarnation?: string,
  value = event?.type === 'PUT' ? encodeValue(event.kv.value) : undefined, prevValue = event?.prevKv ? encodeValue(event.prevKv.value) : undefined,
): Item {
  const item: Item = { pk: { S: cluster }, sk: { S: logSk(revision) }, type: { S: event?.type ?? 'VOID' } };
  if (incarnation) item.inc = { S: incarnation };
  if (event) {
    item.key = { S: event.kv.key };
    if (event.type === 'PUT') {
      setValue(item, 'value', value!, revision);
      item.createRevision = n(event.kv.createRevision);
    }
    if (event.prevKv) {
      setValue(item, 'prevValue', prevValue!, event.prevKv.modRevision);
      item.prevCreateRevision = n(event.prevKv.createRevision);
      item.prevModRevision = n(event.prevKv.modRevision);
    }
  }
  return withExpiry(item, expiresAt);
}

export interface LogEntry {
  revision: number;
  /** null for a VOID marker. */
  event: StoreEvent | null;
  /** The incarnation of the cluster that wrote the entry ('' for entries written before incarnations existed). */
  incarnation: string;
}

export function entryFromLogItem(item: Item): LogEntry {
  const revision = revisionOfLogSk(item.sk.S!);
  const incarnation = item.inc?.S ?? '';
  const type = item.type?.S;
  if (type !== 'PUT' && type !== 'DELETE') return { revision, event: null, incarnation };
  const key = item.key.S!;
  const prevValue = getValue(item, 'prevValue');
  const prevKv: KeyValue | undefined = prevValue === undefined ? undefined
    : { key, value: prevValue, createRevision: num(item, 'prevCreateRevision'), modRevision: num(item, 'prevModRevision') };
  if (type === 'DELETE') return { revision, event: { type, kv: { ...prevKv!, modRevision: revision }, prevKv }, incarnation };
  const kv: KeyValue = { key, value: getValue(item, 'value') ?? '', createRevision: num(item, 'createRevision'), modRevision: revision };
  return { revision, event: prevKv ? { type, kv, prevKv } : { type, kv }, incarnation };
}

/**
 * The cluster's meta item. `revision` is the counter (the last revision handed
 * out); every revision ≤ `safe` is final (committed or voided); log entries ≤
 * `compacted` may be gone.
 *
 * The cluster exists while the item exists without `dropping`. `live` is its
 * incarnation, a random id createCluster writes: a cluster dropped and created
 * again under the same name gets a new one, so a store instance (or watcher) of
 * the old cluster can tell. dropCluster first swaps `live` for `dropping` (the
 * tombstone), then deletes every item, the meta item last. A meta item with
 * neither attribute predates incarnations: it is a live cluster whose
 * incarnation is ''.
 */
export interface Meta {
  exists: boolean;
  revision: number;
  safe: number;
  compacted: number;
  expiresAt?: number;
  live?: string;
  dropping: boolean;
  /** A restore is replacing the cluster's content (its token): no revision is handed out meanwhile. */
  restoring?: string;
  /** When that restore began (ms): a restore cut off by a crash is taken over after a while. */
  restoringAt?: number;
}

export const liveAttribute = 'live';
export const droppingAttribute = 'dropping';
export const restoringAttribute = 'restoring';

export function metaFromItem(item: Item | undefined): Meta {
  if (!item) return { exists: false, revision: 0, safe: 0, compacted: 0, dropping: false };
  const meta: Meta = { exists: true, revision: num(item, 'revision'), safe: num(item, 'safe'), compacted: num(item, 'compacted'), dropping: !!item[droppingAttribute] };
  if (item[ttlAttribute]?.N) meta.expiresAt = num(item, ttlAttribute);
  if (item[liveAttribute]?.S) meta.live = item[liveAttribute].S;
  if (item[restoringAttribute]?.S) { meta.restoring = item[restoringAttribute].S; meta.restoringAt = num(item, 'restoringAt'); }
  return meta;
}

/** The incarnation of a cluster that exists, or null (never created, dropped, or being dropped). */
export const incarnationOf = (meta: Meta): string | null => (meta.exists && !meta.dropping ? meta.live ?? '' : null);
