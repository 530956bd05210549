import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The sharded entry's front relays every cluster's answers through one event loop, and its
 * work is TLS: encrypting what the shards send. Piped as fast as a shard writes, one cluster's
 * burst (200 watches opened at once, each starting with a 250 KB object: 50 MB) holds the front
 * for as long as it takes to encrypt, and every other cluster's requests wait behind it. So each
 * cluster's answer bytes are paced by a token bucket: a burst of `burstBytes`, then
 * `bytesPerSecond`; past it the shard's answer is paused (its socket stops being read, so the
 * shard is held back too) until the bucket has refilled. kubectl's largest ordinary reads (a few
 * MB of `get -o yaml`) fit in the burst.
 */
export interface RelayPace { bytesPerSecond: number; burstBytes: number }

/** 16 MiB/s per cluster after a 4 MiB burst: the front's encryption for one cluster stays a fraction of a core. */
export const defaultRelayPace: RelayPace = { bytesPerSecond: 16 * 1024 * 1024, burstBytes: 4 * 1024 * 1024 };

/** The pace from `FRONT_BYTES_PER_SECOND` (per cluster; the burst is a quarter of it), or the default. */
export function relayPaceFromEnv(env: Record<string, string | undefined>): RelayPace {
  const rate = Number(env.FRONT_BYTES_PER_SECOND);
  if (!env.FRONT_BYTES_PER_SECOND || !Number.isFinite(rate) || rate <= 0) return defaultRelayPace;
  return { bytesPerSecond: rate, burstBytes: Math.max(64 * 1024, rate / 4) };
}

interface Bucket { tokens: number; at: number }

/** Byte buckets by cluster. Names come from request paths (any client can make one up), so full buckets are forgotten. */
export class RelayBuckets {
  private readonly buckets = new Map<string, Bucket>();
  constructor(private readonly pace: RelayPace, private readonly now: () => number = () => performance.now()) {}

  /** Spends `bytes` of `cluster`'s bucket; the milliseconds to wait before relaying more (0: none). */
  spend(cluster: string, bytes: number): number {
    const now = this.now();
    let bucket = this.buckets.get(cluster);
    if (!bucket) {
      if (this.buckets.size >= 10_000) this.forgetFull(now);
      bucket = { tokens: this.pace.burstBytes, at: now };
      this.buckets.set(cluster, bucket);
    }
    bucket.tokens = Math.min(this.pace.burstBytes, bucket.tokens + ((now - bucket.at) / 1000) * this.pace.bytesPerSecond);
    bucket.at = now;
    bucket.tokens -= bytes;
    return bucket.tokens >= 0 ? 0 : Math.ceil((-bucket.tokens / this.pace.bytesPerSecond) * 1000);
  }

  /** How many clusters are tracked (for tests). */
  get size(): number { return this.buckets.size; }

  /** A bucket that has refilled is the same as none. */
  private forgetFull(now: number): void {
    for (const [cluster, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.pace.bytesPerSecond >= this.pace.burstBytes) this.buckets.delete(cluster);
    }
  }
}

/** Pipes a shard's answer to the client, paused while the client is slow (as pipe does) or the cluster's bucket is empty. */
export function relayAnswer(answer: IncomingMessage, res: ServerResponse, spend: (bytes: number) => number): void {
  let holds = 0;
  const release = () => { if (--holds === 0 && !res.destroyed) answer.resume(); };
  answer.on('data', (chunk: Buffer) => {
    const writable = res.write(chunk);
    const wait = spend(chunk.length);
    if (writable && wait === 0) return;
    answer.pause();
    if (!writable) { holds++; res.once('drain', release); }
    if (wait > 0) { holds++; setTimeout(release, wait); }
  });
  answer.on('end', () => res.end());
}
