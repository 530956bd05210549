import type { ObjectRef, TraceRecord, TraceSink } from './types.ts';

export interface TraceRingLimits {
  /** Per cluster: records kept, and their estimated size in bytes (the oldest go first). */
  maxRecords: number;
  maxBytes: number;
  /** Records older than this are dropped. */
  maxAgeMs: number;
  /** Clusters with records at once in this process; the one written least recently is forgotten first. */
  maxClusters: number;
  /** How long a cluster's tracing stays on once started. */
  recordForMs: number;
}

/** 128 KiB and 256 records per cluster, an hour, 256 clusters: at most 32 MiB in one process. */
export const defaultTraceRingLimits: TraceRingLimits = { maxRecords: 256, maxBytes: 128 * 1024, maxAgeMs: 3600_000, maxClusters: 256, recordForMs: 3600_000 };

interface Ring { records: Array<{ record: TraceRecord; bytes: number; at: number }>; bytes: number }

/** A record's size, roughly (its strings and a fixed cost per span), without serializing it. */
function estimate(record: TraceRecord): number {
  let bytes = 200 + record.object.name.length + record.object.namespace.length;
  for (const span of record.spans) bytes += 64 + span.detail.length + (span.name?.length ?? 0);
  return bytes;
}

/**
 * The trace records of one process, in memory, per cluster, bounded in count, bytes and age,
 * kept only for clusters whose tracing is on (for an hour after it is started or a trace read):
 * a student's cluster cannot grow it past its share, and nothing is ever written to the store.
 * On Node it sees everything (API and control plane share the process); in a Durable Object
 * everything of its cluster until the object is evicted; on Lambda only what that instance served.
 */
export class TraceRing implements TraceSink {
  private readonly clusters = new Map<string, Ring>();
  /** Clusters whose tracing is on, until when (as many as maxClusters; the oldest start goes first). */
  private readonly on = new Map<string, number>();

  constructor(private readonly limits: TraceRingLimits = defaultTraceRingLimits, private readonly now: () => number = Date.now) {}

  recording(cluster: string): boolean {
    const until = this.on.get(cluster);
    return until !== undefined && until > this.now();
  }

  start(cluster: string, ms = this.limits.recordForMs): number {
    const until = this.now() + ms;
    this.on.delete(cluster);
    this.on.set(cluster, until);
    while (this.on.size > this.limits.maxClusters) this.on.delete(this.on.keys().next().value!);
    return until;
  }

  record(cluster: string, record: TraceRecord): void {
    let ring = this.clusters.get(cluster);
    if (ring) this.clusters.delete(cluster); // re-inserted last: the Map's order is the LRU order
    else ring = { records: [], bytes: 0 };
    this.clusters.set(cluster, ring);
    const bytes = estimate(record);
    ring.records.push({ record, bytes, at: this.now() });
    ring.bytes += bytes;
    this.trim(ring);
    while (this.clusters.size > this.limits.maxClusters) this.clusters.delete(this.clusters.keys().next().value!);
  }

  private trim(ring: Ring): void {
    const oldest = this.now() - this.limits.maxAgeMs;
    let drop = 0;
    while (drop < ring.records.length && (ring.records.length - drop > this.limits.maxRecords || ring.bytes > this.limits.maxBytes || ring.records[drop].at < oldest)) {
      ring.bytes -= ring.records[drop].bytes;
      drop++;
    }
    if (drop) ring.records.splice(0, drop);
  }

  find(cluster: string, ref: ObjectRef): TraceRecord[] {
    const ring = this.clusters.get(cluster);
    if (!ring) return [];
    this.trim(ring);
    return ring.records.map((r) => r.record).filter((r) => r.object.group === ref.group && r.object.resource === ref.resource
      && r.object.namespace === ref.namespace && (r.object.name === ref.name || r.object.name === ''));
  }

  forget(cluster: string): void {
    this.clusters.delete(cluster);
    this.on.delete(cluster);
  }

  /** Records and estimated bytes held for a cluster (tests, the bench). */
  size(cluster: string): { records: number; bytes: number } {
    const ring = this.clusters.get(cluster);
    return { records: ring?.records.length ?? 0, bytes: ring?.bytes ?? 0 };
  }
}
