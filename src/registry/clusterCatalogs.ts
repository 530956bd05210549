import type { Clock } from '../ports.ts';
import { Catalog } from './catalog.ts';
import { customResourceDefs, type CustomResourceDefinition } from './customResources.ts';
import { apiextensionsGroup } from './resources/customresourcedefinitions.ts';
import type { KeyValue } from '../storage/store.ts';
import type { ClusterObjects, ResourceDef } from './types.ts';

/** Where a cluster's CRDs are read from; with `records`, unchanged CRDs are recognized without parsing them. */
export type CrdSource = ClusterObjects & { records?(def: ResourceDef, namespace: undefined): Promise<{ items: KeyValue[] }> };

interface Loaded { catalog: Catalog; fingerprint?: string }

/**
 * Each cluster's catalog: the built-in declarations plus those its CustomResourceDefinitions
 * stand for. Kept between requests like the RBAC policy: a CRD write through this server
 * forgets its cluster's entry at once (`invalidate`, fed by committed writes' change
 * events); one this process did not see is picked up within `maxAgeMs`. Catalogs are
 * shared by content, so clusters with the same CRDs (a class applying one file) share one,
 * and its OpenAPI documents; a cluster without CRDs uses the built-in catalog itself.
 * Every cluster has CRDs (the Gateway API's, ~220 KB), so a reload first compares the CRDs'
 * keys and revisions with the last load's and keeps its catalog when none changed: an active
 * cluster's reload each second costs a list of raw records, not parsing them.
 */
export class ClusterCatalogs {
  private readonly entries = new Map<string, { loaded: Promise<Loaded>; loadedAt: number; cluster: string }>();
  private readonly shared = new Map<string, Catalog>();

  constructor(private readonly base: Catalog, private readonly clock: Clock, private readonly maxAgeMs = 1000, private readonly capacity = 1000, private readonly sharedCapacity = 64) {}

  /** The catalog of one incarnation of a cluster; `objects` reads its CRDs when they must be (re)read. */
  catalog(cluster: string, incarnation: string, objects: () => CrdSource): Promise<Catalog> {
    const now = this.clock.now().getTime();
    const hit = this.entries.get(incarnation);
    if (hit && now - hit.loadedAt < this.maxAgeMs) return hit.loaded.then((l) => l.catalog);
    if (!hit && this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    const loaded = this.load(objects(), hit?.loaded);
    this.entries.set(incarnation, { loaded, loadedAt: now, cluster });
    loaded.catch(() => { if (this.entries.get(incarnation)?.loaded === loaded) this.entries.delete(incarnation); });
    return loaded.then((l) => l.catalog);
  }

  /** Forgets every incarnation of the cluster: its CRDs changed. */
  invalidate(cluster: string): void {
    for (const [key, entry] of this.entries) if (entry.cluster === cluster) this.entries.delete(key);
  }

  private async load(objects: CrdSource, previous: Promise<Loaded> | undefined): Promise<Loaded> {
    const def = this.base.find(apiextensionsGroup, 'v1', 'customresourcedefinitions');
    if (!def) return { catalog: this.base };
    let all: CustomResourceDefinition[], fingerprint: string | undefined;
    if (objects.records) {
      const { items } = await objects.records(def, undefined);
      fingerprint = items.map((kv) => `${kv.key}@${kv.modRevision}`).join('\n');
      const before = await previous?.catch(() => undefined);
      if (before && before.fingerprint === fingerprint) return before;
      all = items.map((kv) => JSON.parse(kv.value) as CustomResourceDefinition);
    } else {
      all = (await objects.list(def, undefined)).items as CustomResourceDefinition[];
    }
    const crds = all.filter((crd) => !crd.metadata.deletionTimestamp && crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'));
    return { catalog: this.catalogFor(crds), ...(fingerprint !== undefined ? { fingerprint } : {}) };
  }

  /** The catalog of these CRDs, shared with every cluster that has the same. */
  private catalogFor(crds: CustomResourceDefinition[]): Catalog {
    if (!crds.length) return this.base;
    const key = JSON.stringify(crds.map((crd) => [crd.metadata.name, crd.spec]));
    const known = this.shared.get(key);
    if (known) {
      this.shared.delete(key);
      this.shared.set(key, known);
      return known;
    }
    const taken = new Set(this.base.resources.map((r) => `${r.group}/${r.version}/${r.plural}`));
    const custom = crds.flatMap((crd) => customResourceDefs(crd)).filter((r) => !taken.has(`${r.group}/${r.version}/${r.plural}`));
    const catalog = new Catalog([...this.base.resources, ...custom], this.base.admission);
    if (this.shared.size >= this.sharedCapacity) this.shared.delete(this.shared.keys().next().value!);
    this.shared.set(key, catalog);
    return catalog;
  }
}

/** Does this change concern a cluster's CRDs? */
export const isCatalogChange = (group: string) => group === apiextensionsGroup;
