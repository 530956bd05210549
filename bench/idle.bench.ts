import { ManualClock } from '../src/clock.ts';
import type { Ports } from '../src/ports.ts';
import { InProcessQueue } from '../src/queue/memory.ts';
import { Catalog } from '../src/registry/catalog.ts';
import { resources } from '../src/registry/resources/index.ts';
import { hmacKeys } from '../src/server/keys.ts';
import { countingStore } from '../harness/countingStore.ts';
import { provisionInStore } from '../src/tenancy/provision.ts';
import { kubernetesVersion } from '../src/apimachinery/version.ts';
import { handleMessage } from '../src/controlplane/index.ts';
import { line } from './lib.ts';

/** Issue 6: storage writes made by 100 idle clusters over a simulated hour of resyncs (target 0). */
export async function run(): Promise<void> {
  const counting = countingStore();
  const store = counting.store;
  const clock = new ManualClock();
  const queue = new InProcessQueue({ clock, mode: 'manual' });
  const ports: Ports = { store, queue, clock, keys: hmacKeys('x'.repeat(32)) };
  const catalog = new Catalog(resources);
  queue.consume((message) => handleMessage({ ports, catalog }, message));
  const names = Array.from({ length: 100 }, (_, i) => `idle-${i}`);
  for (const name of names) {
    await provisionInStore(ports, catalog, { name, uid: crypto.randomUUID(), createdAt: clock.now().toISOString(), expiresAt: null, nodes: ['controlplane', 'node01'], kubernetesVersion });
  }
  await queue.drain();
  const provisioning = counting.writes();
  counting.reset();
  const start = clock.now().getTime();
  for (let tick = 0; tick < 120; tick++) {
    for (const cluster of names) await queue.send({ kind: 'resync', cluster });
    await queue.drain({ forMs: 30_000 });
  }
  const hours = (clock.now().getTime() - start) / 3_600_000;
  line('baseline: writes to provision 100 clusters (and settle)', String(provisioning));
  line(`writes by 100 idle clusters over ${hours.toFixed(2)} simulated hours, 120 resyncs each`, `${counting.writes()} (target 0)`);
}
