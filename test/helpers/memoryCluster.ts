import { kubernetesVersion } from '../../src/apimachinery/version.ts';
import { discardQueue, systemClock } from '../../src/ports.ts';
import { Catalog } from '../../src/registry/catalog.ts';
import { resources } from '../../src/registry/resources/index.ts';
import { hmacKeys } from '../../src/server/keys.ts';
import { MemoryStore } from '../../src/storage/memory.ts';
import { provisionInStore } from '../../src/tenancy/provision.ts';

/**
 * A cluster named `c`, provisioned as a new cluster is, on a memory store: the ports and catalog a
 * Registry over it takes, for tests of the registry and the controllers without a server.
 */
export async function provisionedMemoryCluster(nodes: string[] = ['controlplane']) {
  const store = new MemoryStore();
  const ports = { store, queue: discardQueue, clock: systemClock, keys: hmacKeys('x'.repeat(32)) };
  const catalog = new Catalog(resources);
  await provisionInStore(ports, catalog, { name: 'c', uid: crypto.randomUUID(), createdAt: new Date().toISOString(), expiresAt: null, nodes, kubernetesVersion });
  return { store, ports, catalog };
}
