import type { Clock } from '../ports.ts';
import { Catalog } from './catalog.ts';
import { customResourceDefs, type CustomResourceDefinition } from './customResources.ts';
import { apiextensionsGroup } from './resources/customresourcedefinitions.ts';
import type { ClusterObjects } from './types.ts';

/**
 * Each cluster's catalog: the built-in declarations plus those its CustomResourceDefinitions
 * stand for. Kept between requests like the RBAC policy: a CRD write through this server
 * forgets its cluster's entry at once (`invalidate`, fed by committed writes' change
 * events); one this process did not see is picked up within `maxAgeMs`. Catalogs are
 * shared by content, so clusters with the same CRDs (a class applying one file) share one,
 * and its OpenAPI documents; a cluster without CRDs uses the built-in catalog itself.
 */
export class ClusterCatalogs {
  private readonly entries = new Map<string, { catalog: Promise<Catalog>; loadedAt: number; cluster: string }>();
  private readonly shared = new Map<string, Catalog>();

  constructor(private readonly base: Catalog, private readonly clock: Clock, private readonly maxAgeMs = 1000, private readonly capacity = 1000, private readonly sharedCapacity = 64) {}

  /** The catalog of one incarnation of a cluster; `objects` reads its CRDs when they must be (re)read. */
  catalog(cluster: string, incarnation: string, objects: () => ClusterObjects): Promise<Catalog> {
    const now = this.clock.now().getTime();
    const hit = this.entries.get(incarnation);
    if (hit && now - hit.loadedAt < this.maxAgeMs) return hit.catalog;
    if (!hit && this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    const catalog = this.load(objects());
    this.entries.set(incarnation, { catalog, loadedAt: now, cluster });
    catalog.catch(() => { if (this.entries.get(incarnation)?.catalog === catalog) this.entries.delete(incarnation); });
    return catalog;
  }

  /** Forgets every incarnation of the cluster: its CRDs changed. */
  invalidate(cluster: string): void {
    for (const [key, entry] of this.entries) if (entry.cluster === cluster) this.entries.delete(key);
  }

  private async load(objects: ClusterObjects): Promise<Catalog> {
    const def = this.base.find(apiextensionsGroup, 'v1', 'customresourcedefinitions');
    if (!def) return this.base;
    const crds = ((await objects.list(def, undefined)).items as CustomResourceDefinition[])
      .filter((crd) => !crd.metadata.deletionTimestamp && crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'));
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
