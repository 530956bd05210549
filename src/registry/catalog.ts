import { clusterPrefix } from '../storage/store.ts';
import type { AdmissionPlugin } from './admission.ts';
import { admissionPlugins } from './resources/index.ts';
import type { ResourceDef } from './types.ts';

/**
 * What the server serves: the resource declarations, found by URL parts (the only index
 * over them), and the admission chain every write through them passes.
 */
export class Catalog {
  private byPath = new Map<string, ResourceDef>();
  readonly groupVersions: Array<{ group: string; version: string; resources: ResourceDef[] }> = [];

  constructor(readonly resources: ResourceDef[], readonly admission: readonly AdmissionPlugin[] = admissionPlugins) {
    for (const def of resources) {
      this.byPath.set(`${def.group}/${def.version}/${def.plural}`, def);
      let gv = this.groupVersions.find((g) => g.group === def.group && g.version === def.version);
      if (!gv) this.groupVersions.push((gv = { group: def.group, version: def.version, resources: [] }));
      gv.resources.push(def);
    }
  }

  find(group: string, version: string, plural: string): ResourceDef | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  /** Etcd-style key: /registry/<cluster>/<group|core>/<plural>/<namespace>/<name>. */
  static key(cluster: string, def: ResourceDef, namespace: string | undefined, name: string): string {
    return `${Catalog.prefix(cluster, def, namespace)}${name}`;
  }

  /** The prefix listing a resource in one namespace, or all of it. */
  static prefix(cluster: string, def: ResourceDef, namespace?: string): string {
    const stored = def.storedAs ?? def;
    const base = `${clusterPrefix(cluster)}${stored.group || 'core'}/${stored.plural}/`;
    return def.namespaced && namespace ? `${base}${namespace}/` : base;
  }
}
