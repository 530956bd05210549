import { createMiddleware } from 'hono/factory';
import type { Clock, TokenClaims } from '../ports.ts';
import { clusterExpired, clusterGone } from '../server/authn.ts';
import type { ClusterStore, Store } from '../storage/store.ts';
import { isExpired, readClusterRecord, type ClusterRecord } from '../tenancy/clusters.ts';
import type { PipelineEnv } from './context.ts';

/**
 * Step 6, the cluster's own record: it says whether the cluster exists, until when, and
 * under which uid. A token for an earlier cluster of the same name (another uid) is
 * refused, so no token outlives its cluster.
 */
export function clusterRecord(ports: { store: Store; clock: Clock }) {
  const records = new WeakMap<ClusterStore, { record: ClusterRecord | null; readAt: number }>();
  async function liveRecord(store: ClusterStore, claims: TokenClaims): Promise<ClusterRecord> {
    // Remembered for a second per store instance: memory and the Durable Object replace the
    // instance when the cluster is dropped (so nothing stale survives a delete there); on
    // DynamoDB another process may serve reads of a deleted cluster for up to that second,
    // while its writes are already refused by the incarnation check.
    // Only a record is remembered, never its absence: the instance may be the one the cluster is created in next.
    const now = ports.clock.now().getTime();
    let cached = records.get(store);
    if (!cached || now - cached.readAt >= 1000) {
      cached = { record: await readClusterRecord(store), readAt: now };
      if (cached.record) records.set(store, cached);
    }
    const record = cached.record;
    if (!record || (claims.clusterUid !== undefined && claims.clusterUid !== record.uid)) throw clusterGone(store.cluster);
    // Expired but not yet swept: say so as an expired token would (a verified token is remembered until its own expiry).
    if (isExpired(record, new Date(now))) throw clusterExpired(store.cluster, record.expiresAt!);
    return record;
  }
  return createMiddleware<PipelineEnv>(async (c, next) => {
    c.set('record', await liveRecord(ports.store.cluster(c.get('cluster')), c.get('claims')));
    await next();
  });
}
