import { startNodeServer } from '../harness/server.ts';
import { WatchClient } from '../harness/watchClient.ts';
import { call, fmt, line, percentile } from './lib.ts';

/** Delivery delay from a write's send (including the write itself) to its arrival at each watcher. */
async function fanout(watchers: number, writes: number): Promise<{ p50: number; p99: number; complete: boolean }> {
  const server = await startNodeServer();
  try {
    const token = await server.token();
    const base = `${server.url}/api/v1/namespaces/default/configmaps`;
    const rv = JSON.parse((await call(base, { token })).body).metadata.resourceVersion as string;
    const clients = Array.from({ length: watchers }, () => new WatchClient(`${base}?watch=true&resourceVersion=${rv}`, token));
    await Promise.all(clients.map((c) => c.ready));
    const sentAt = new Map<string, number>();
    // One write at a time, so the delay measures the fan-out rather than a queue of writes.
    for (let i = 0; i < writes; i++) {
      const name = `cm-${i}`;
      sentAt.set(name, performance.now());
      await call(base, { method: 'POST', token, body: JSON.stringify({ metadata: { name } }) });
    }
    await Promise.all(clients.map((c) => c.waitFor(writes)));
    const delays = clients.flatMap((c) => c.events.map((e) => e.at - sentAt.get(e.object.metadata!.name!)!));
    const complete = clients.every((c) => c.events.length === writes);
    for (const c of clients) c.close();
    return { p50: percentile(delays, 50), p99: percentile(delays, 99), complete };
  } finally {
    await server.close();
  }
}

/** Issue 7: 100 concurrent watchers and 1,000 writes; baseline: one watcher, same writes, same run. */
export async function run(): Promise<void> {
  const one = await fanout(1, 1000);
  const hundred = await fanout(100, 1000);
  line('1 watcher, 1,000 writes: delivery delay p50 / p99', `${fmt(one.p50)} / ${fmt(one.p99)} ms`);
  line('100 watchers, 1,000 writes: delivery delay p50 / p99', `${fmt(hundred.p50)} / ${fmt(hundred.p99)} ms (target p99 ≤50 ms)`);
  line('every watcher got every event', String(one.complete && hundred.complete));
  line('ratio p99 100 watchers / 1 watcher', `${fmt(hundred.p99 / one.p99, 2)}x`);
}
