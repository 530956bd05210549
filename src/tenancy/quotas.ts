import { tooManyRequests } from '../apimachinery/errors.ts';
import type { Clock } from '../ports.ts';
import type { StorageBudget } from './budgets.ts';

/** What keeps one student's cluster from hurting the rest (per process on Node, per Durable Object on Cloudflare). */
export interface Limits extends StorageBudget {
  /** Sustained requests per second per cluster (token bucket refill). */
  requestsPerSecond: number;
  /** Bucket size: how many requests may arrive at once. */
  burst: number;
  /** Concurrent long-running requests: watches and `logs -f` streams. */
  maxWatches: number;
  /** How long a request refused for the rate, a seat or a stream is held before its 429 is sent (default 250 ms). */
  rejectionDelayMs?: number;
  /** The share of a shared event loop one cluster's control plane may hold, and how far ahead of it it may run (controlPlaneShare.ts). */
  controlPlane?: { share: number; burstMs: number };
}

export const defaultLimits: Limits = {
  requestsPerSecond: 200, burst: 400, maxWatches: 50, maxObjects: 5000, maxBytes: 64 * 1024 * 1024,
};

/** A cluster's control plane: a twentieth of a shared loop, after 100 ms of it at once (controlPlaneShare.ts). */
export const defaultControlPlane = { share: 0.05, burstMs: 100 };

export function limitsFromEnv(env: Record<string, string | undefined>): Limits {
  const num = (name: string, fallback: number) => {
    const raw = env[name];
    const value = raw === undefined || raw === '' ? NaN : Number(raw);
    return Number.isFinite(value) && value > 0 ? value : fallback;
  };
  return {
    requestsPerSecond: num('RATE_LIMIT_RPS', defaultLimits.requestsPerSecond),
    burst: num('RATE_LIMIT_BURST', defaultLimits.burst),
    maxWatches: num('MAX_WATCHES_PER_CLUSTER', defaultLimits.maxWatches),
    maxObjects: num('MAX_OBJECTS_PER_CLUSTER', defaultLimits.maxObjects),
    maxBytes: num('MAX_BYTES_PER_CLUSTER', defaultLimits.maxBytes),
    controlPlane: {
      share: Math.min(1, num('CONTROL_PLANE_SHARE', defaultControlPlane.share)),
      burstMs: num('CONTROL_PLANE_BURST_MS', defaultControlPlane.burstMs),
    },
  };
}

interface ClusterState {
  tokens: number; refilledAt: number; watches: number;
  /** Tokens charged to admitted requests whose work turned out larger (`charge`), in all. */
  charged: number;
  /** Requests of the cluster being served now, and those waiting for a seat (FIFO). */
  busy: number; waiting: Array<() => void>;
}

/**
 * What a request costs in rate-limit tokens: one, plus one per KiB of query (selectors are
 * parsed and matched against every object) and one per 4 KiB of body (decoded, patched,
 * validated, stored). kubectl's requests cost one or two; a flood of 60 KB selectors, 300 KB
 * strategic-merge patches or 3 MiB bodies is slowed to one cluster's fair share of the server.
 */
export function requestCost(queryBytes: number, bodyBytes: number): number {
  return 1 + Math.floor(queryBytes / 1024) + Math.floor(bodyBytes / 4096);
}

/** Requests of one cluster served at once; the rest wait their turn (kube-apiserver's priority and fairness, in small). */
export const seatsPerCluster = 2;
/** Requests of one cluster that may wait for a seat before more are refused. */
const maxWaitingPerCluster = 256;

/**
 * Per-cluster admission of requests: a token bucket and a count of open streams.
 * State is kept per cluster incarnation (its uid): a cluster deleted and re-created
 * under the same name starts fresh, whatever streams of the old one are still closing.
 */
export class Quotas {
  private clusters = new Map<string, ClusterState>();

  constructor(readonly limits: Limits, private readonly clock: Clock) {}

  get rejectionDelayMs(): number {
    return this.limits.rejectionDelayMs ?? 250;
  }

  private state(uid: string): ClusterState {
    let s = this.clusters.get(uid);
    if (!s) {
      this.clusters.set(uid, (s = { tokens: this.limits.burst, refilledAt: this.clock.now().getTime(), watches: 0, charged: 0, busy: 0, waiting: [] }));
      if (this.clusters.size > 10_000) this.clusters.delete(this.clusters.keys().next().value!);
    }
    return s;
  }

  /**
   * The token bucket: a request is admitted while the bucket holds a token, and then pays its
   * whole cost, which may leave the bucket in debt (a large request slows the ones after it).
   */
  admitRequest(cluster: string, uid: string, cost = 1): number {
    const s = this.state(uid);
    this.refuseWhenEmpty(cluster, s);
    s.tokens -= cost;
    // What `seat` compares with: the charges made before this request was admitted.
    return s.charged;
  }

  private refuseWhenEmpty(cluster: string, s: ClusterState): void {
    const now = this.clock.now().getTime();
    s.tokens = Math.min(this.limits.burst, s.tokens + ((now - s.refilledAt) / 1000) * this.limits.requestsPerSecond);
    s.refilledAt = now;
    if (s.tokens < 1) {
      const wait = Math.max(1, Math.ceil((1 - s.tokens) / this.limits.requestsPerSecond));
      throw tooManyRequests(`too many requests to cluster "${cluster}": the limit is ${this.limits.requestsPerSecond} requests per second`, wait);
    }
  }

  /** More cost for a request already admitted (its work turned out larger): the bucket may go into debt. */
  charge(uid: string, tokens: number): void {
    const s = this.state(uid);
    s.tokens -= tokens;
    s.charged += tokens;
  }

  /**
   * Waits for one of the cluster's seats. A cluster's requests are served at most
   * `seatsPerCluster` at a time, so however many it sends, another cluster's request
   * waits behind at most that many of them. Returns the release function.
   */
  async seat(cluster: string, uid: string, chargedAtAdmission?: number): Promise<() => void> {
    const s = this.state(uid);
    let waited = false;
    if (s.busy >= seatsPerCluster) {
      if (s.waiting.length >= maxWaitingPerCluster) {
        throw tooManyRequests(`too many requests to cluster "${cluster}" at once: ${maxWaitingPerCluster} are already waiting`, 1);
      }
      await new Promise<void>((resolve) => s.waiting.push(resolve));
      waited = true;
    } else {
      s.busy++;
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      // The seat passes straight to the next in line, or is freed.
      const next = s.waiting.shift();
      if (next) next(); else s.busy--;
    };
    // Requests that came together were all admitted while the bucket held tokens, before any of
    // them had read what it costs (a watch's initial state, a large object's rewrite). One that
    // waited for its seat while the others' work emptied the bucket is refused now, before its own
    // work, as it would have been had it come a moment later: 200 watches opened at once over a
    // namespace of large objects are not 200 initial states sent.
    if (waited && chargedAtAdmission !== undefined && s.charged > chargedAtAdmission) {
      try {
        this.refuseWhenEmpty(cluster, s);
      } catch (err) {
        release();
        throw err;
      }
    }
    return release;
  }

  /** A watch or a followed log; returns the release function to call when the stream ends. */
  admitStream(cluster: string, uid: string): () => void {
    const s = this.state(uid);
    if (s.watches >= this.limits.maxWatches) {
      throw tooManyRequests(`too many watches on cluster "${cluster}": the limit is ${this.limits.maxWatches} concurrent watches and followed logs`, 1);
    }
    s.watches++;
    let released = false;
    return () => { if (!released) { released = true; s.watches--; } };
  }
}
