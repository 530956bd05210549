/**
 * The vocabulary of a trace: what one request (or one scheduling decision) did to one object,
 * step by step, as `apiserverless trace pod/web` shows it. Kept in memory only (ring.ts); the
 * durable part of a trace is read from the change log and Events when someone asks (server/trace.ts).
 */

/** The steps of kube-apiserver's request path and of the workers, in the order they happen. */
export type Step =
  | 'request' | 'authentication' | 'authorization' | 'admission' | 'validation' | 'store' | 'queue'
  | 'scheduler' | 'kubelet' | 'event';

export interface Span {
  step: Step;
  /** What the step found or did, in words (`user kubernetes-admin, groups system:masters`). */
  detail: string;
  /** The admission plugin, scheduler plugin or node a span is about. */
  name?: string;
  /** The step refused the request (the trace's last span then). */
  refused?: true;
  /** Milliseconds since the request began (or the record's start), and how long the step took. */
  at: number;
  ms?: number;
  /** A store write's revision. */
  revision?: number;
}

/** The object a record is about. `name` is empty for a create refused before its body was read. */
export interface ObjectRef {
  group: string;
  resource: string;
  namespace: string;
  name: string;
  uid?: string;
}

export interface TraceRecord {
  /** `request`: one API request (the pipeline); `scheduling`: one decision of the scheduler. */
  source: 'request' | 'scheduling';
  /** When it began (RFC 3339 with milliseconds). */
  time: string;
  object: ObjectRef;
  /** The revisions its store writes committed (none when refused or unchanged). */
  revisions: number[];
  spans: Span[];
  /** The HTTP status of a request's answer. */
  code?: number;
}

/**
 * Where traced steps go; absent from the Ports when nothing records. A cluster's steps are
 * recorded only while its tracing is on (`recording`), so a cluster nobody traces pays nothing.
 */
export interface TraceSink {
  /** Is this cluster's tracing on? Asked once per write; a Map lookup. */
  recording(cluster: string): boolean;
  /** Turns a cluster's tracing on for `ms` from now (reading a trace does it too); returns when it ends (ms since the epoch). */
  start(cluster: string, ms?: number): number;
  record(cluster: string, record: TraceRecord): void;
  /** This cluster's records about `ref` (any uid; name '' matches refused creates of its resource and namespace), oldest first. */
  find(cluster: string, ref: ObjectRef): TraceRecord[];
  /** Forgets a cluster's records (the cluster was deleted or restored). */
  forget(cluster: string): void;
}

/** One thing that happened to the object: a request or a worker's write (with its steps), or an Event about it. */
export interface TraceEntry {
  /** The revision its store write got (none: refused, unchanged, or an Event's own write). */
  revision?: number;
  time?: string;
  /** Who: the field manager or component (`kubectl-run`, `kube-scheduler`, `kubelet`). */
  by: string;
  /** One line: what it was (`POST … → 201`, `ADDED`, `status write`, `Normal Pulled`). */
  summary: string;
  spans: Span[];
}

/** `GET /debug/trace?resource=pods&namespace=default&name=web`: the steps that made and ran an object. */
export interface Trace {
  apiVersion: 'apiserverless.dev/v1';
  kind: 'Trace';
  cluster: string;
  object: ObjectRef & { kind: string };
  /** The object exists (else: refused requests and the log of a deleted one). */
  exists: boolean;
  /** The cluster's revision when the trace was read. */
  revision: number;
  entries: TraceEntry[];
  /** What the trace could not show, and why. */
  notes: string[];
}
