import { tooManyRequests } from '../server/errors.ts';
import type { Clock } from '../ports.ts';
import type { ClusterStore } from '../storage/store.ts';

/** What keeps one student's cluster from hurting the rest (per process on Node, per Durable Object on Cloudflare). */
export interface Limits {
  /** Sustained requests per second per cluster (token bucket refill). */
  requestsPerSecond: number;
  /** Bucket size: how many requests may arrive at once. */
  burst: number;
  maxWatches: number;
  maxObjects: number;
}

export const defaultLimits: Limits = { requestsPerSecond: 200, burst: 400, maxWatches: 50, maxObjects: 5000 };

/**
 * 429 for a create past the cluster's object limit. Only a delete frees room, so no wait is
 * worth advising: Retry-After 0 lets kubectl retry at once (client-go does, ten times) and then
 * print this message, instead of sleeping a second between tries.
 */
export const objectLimitReached = (cluster: string, maxObjects: number) =>
  tooManyRequests(`cluster "${cluster}" has reached its limit of ${maxObjects} objects: delete some before creating more`, 0);

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
  };
}

interface ClusterState { tokens: number; refilledAt: number; watches: number; objects?: { count: number; readAt: number } }

/** Per-cluster admission: a token bucket, a watch counter and an object count (re-read every few seconds). */
export class Quotas {
  private clusters = new Map<string, ClusterState>();

  constructor(readonly limits: Limits, private readonly clock: Clock) {}

  private state(cluster: string): ClusterState {
    let s = this.clusters.get(cluster);
    if (!s) this.clusters.set(cluster, (s = { tokens: this.limits.burst, refilledAt: this.clock.now().getTime(), watches: 0 }));
    return s;
  }

  admitRequest(cluster: string): void {
    const s = this.state(cluster);
    const now = this.clock.now().getTime();
    s.tokens = Math.min(this.limits.burst, s.tokens + ((now - s.refilledAt) / 1000) * this.limits.requestsPerSecond);
    s.refilledAt = now;
    if (s.tokens < 1) {
      const wait = Math.max(1, Math.ceil((1 - s.tokens) / this.limits.requestsPerSecond));
      throw tooManyRequests(`too many requests to cluster "${cluster}": the limit is ${this.limits.requestsPerSecond} requests per second`, wait);
    }
    s.tokens -= 1;
  }

  /** Returns the release function to call when the watch ends. */
  admitWatch(cluster: string): () => void {
    const s = this.state(cluster);
    if (s.watches >= this.limits.maxWatches) {
      throw tooManyRequests(`too many watches on cluster "${cluster}": the limit is ${this.limits.maxWatches} concurrent watches`, 1);
    }
    s.watches++;
    let released = false;
    return () => { if (!released) { released = true; s.watches--; } };
  }

  async admitCreate(store: ClusterStore): Promise<void> {
    const s = this.state(store.cluster);
    const now = this.clock.now().getTime();
    if (!s.objects || now - s.objects.readAt > 5_000) s.objects = { count: await store.count(`/registry/${store.cluster}/`), readAt: now };
    if (s.objects.count >= this.limits.maxObjects) {
      throw objectLimitReached(store.cluster, this.limits.maxObjects);
    }
    s.objects.count++;
  }

  forget(cluster: string): void {
    this.clusters.delete(cluster);
  }
}
