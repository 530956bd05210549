import type { DeleteOptions, Registry } from '../../registry/generic.ts';
import { selectorMatches, type LabelSelector } from '../../apimachinery/selectors.ts';
import type { Node } from '../../registry/resources/nodes.ts';
import type { Pod } from '../../registry/resources/pods.ts';
import type { KubeObject, ResourceDef } from '../../registry/types.ts';
import { ApiError } from '../../apimachinery/errors.ts';
import { eventName, recordEvent, type EventSpec } from '../recorder.ts';
import { canonical, canonicalOf } from './names.ts';
import { controllerOf, controllerRef, isDeleting, ownerReferences, type ControllerRevision, type CronJob, type Job, type Workload } from './objects.ts';
import type { HorizontalPodAutoscaler } from '../../registry/resources/autoscaling.ts';
import type { DisruptionBudget, Endpoints, EndpointSlice, Service } from './serviceObjects.ts';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from './volumeBinding.ts';

/**
 * One controller pass over a cluster: everything the pass read (the objects as
 * they were at the start), kept current as the controllers write, so later
 * controllers in the same pass see earlier ones' work (a ReplicaSet created by
 * the Deployment controller gets its pods in the same pass, new pods get
 * scheduled in the same pass). Every write goes through the registry with
 * compare-and-swap; a conflict just means "next pass".
 */

export interface ClusterObjects {
  nodes: Node[];
  pods: Pod[];
  controllerrevisions: ControllerRevision[];
  daemonsets: Workload[];
  deployments: Workload[];
  replicasets: Workload[];
  statefulsets: Workload[];
  cronjobs: CronJob[];
  jobs: Job[];
  services: Service[];
  endpoints: Endpoints[];
  endpointslices: EndpointSlice[];
  poddisruptionbudgets: DisruptionBudget[];
  persistentvolumeclaims: PersistentVolumeClaim[];
  persistentvolumes: PersistentVolume[];
  storageclasses: StorageClass[];
  horizontalpodautoscalers: HorizontalPodAutoscaler[];
}

export type Kind = keyof ClusterObjects;

/** A pass's lists before anything is read into them. */
export const noObjects = (): ClusterObjects => ({
  nodes: [], pods: [], controllerrevisions: [], daemonsets: [], deployments: [], replicasets: [], statefulsets: [], cronjobs: [], jobs: [],
  services: [], endpoints: [], endpointslices: [], poddisruptionbudgets: [], persistentvolumeclaims: [], persistentvolumes: [], storageclasses: [],
  horizontalpodautoscalers: [],
});

const noStatus = {};

const kindGroups: Record<Kind, string> = {
  nodes: '', pods: '', controllerrevisions: 'apps', daemonsets: 'apps', deployments: 'apps', replicasets: 'apps', statefulsets: 'apps', cronjobs: 'batch', jobs: 'batch',
  services: '', endpoints: '', endpointslices: 'discovery.k8s.io', poddisruptionbudgets: 'policy', horizontalpodautoscalers: 'autoscaling',
  persistentvolumeclaims: '', persistentvolumes: '', storageclasses: 'storage.k8s.io',
};
/** The version a kind is read and written in, where it is not v1 (the HPA's stored, preferred v2). */
const kindVersions: Partial<Record<Kind, string>> = { horizontalpodautoscalers: 'v2' };

/** A conflict or a vanished object: someone else moved first, and their write brings another pass. */
export const benign = (err: unknown): boolean => err instanceof ApiError && (err.reason === 'Conflict' || err.reason === 'NotFound');

export class ControllerPass {
  readonly now: number;
  /** The earliest time a controller asked to look again (minReadySeconds, cron ticks, back-offs). */
  nextDue: number | undefined;
  private seedRevision: Promise<number> | undefined;
  private byNamespace = new Map<Kind, Map<string, KubeObject[]>>();

  /**
   * The store's budget refused a create (429): the cluster is full, so the rest of the
   * pass's creates are refused without asking again (a `--replicas=100000` costs one refusal).
   */
  private full: ApiError | undefined;

  constructor(readonly registry: Registry, readonly objects: ClusterObjects) {
    this.now = registry.now().getTime();
  }

  def(kind: Kind): ResourceDef {
    return this.registry.catalog.find(kindGroups[kind], kindVersions[kind] ?? 'v1', kind)!;
  }

  /** Asks for a pass at `at` (a queue delay, never a timer). */
  wake(at: number | undefined): void {
    if (at === undefined || !Number.isFinite(at)) return;
    if (at <= this.now) at = this.now + 1000;
    this.nextDue = Math.min(this.nextDue ?? Infinity, at);
  }

  /** Objects of a kind in one namespace, indexed once per pass and kept current. */
  inNamespace<K extends Kind>(kind: K, namespace: string | undefined): ClusterObjects[K] {
    let index = this.byNamespace.get(kind);
    if (!index) {
      index = new Map();
      for (const obj of this.objects[kind] as KubeObject[]) {
        const ns = obj.metadata.namespace ?? '';
        (index.get(ns) ?? index.set(ns, []).get(ns)!).push(obj);
      }
      this.byNamespace.set(kind, index);
    }
    return (index.get(namespace ?? '') ?? []) as ClusterObjects[K];
  }

  /** Objects of a kind whose controller is `owner`. */
  ownedBy<K extends Kind>(kind: K, owner: KubeObject): ClusterObjects[K] {
    return (this.inNamespace(kind, owner.metadata.namespace) as KubeObject[]).filter((o) => controllerOf(o)?.uid === owner.metadata.uid) as ClusterObjects[K];
  }

  /** Replaces, adds (old undefined) or removes (next undefined) an object in the pass's view. */
  track(kind: Kind, old: KubeObject | undefined, next: KubeObject | undefined): void {
    const list = this.objects[kind] as KubeObject[];
    const at = old ? list.indexOf(old) : -1;
    if (at >= 0 && next) list[at] = next;
    else if (at >= 0) list.splice(at, 1);
    else if (next) list.push(next);
    this.byNamespace.delete(kind);
  }

  /** A seed for generated names: the cluster revision, so a later pass never reuses a name. */
  async seed(): Promise<number> {
    return (this.seedRevision ??= this.registry.store.currentRevision());
  }

  /**
   * Creates an object; undefined when the API refused (the name is taken by a
   * racing pass, the namespace is going, the object is invalid): `refused` says why.
   */
  async create(kind: Kind, namespace: string | undefined, obj: KubeObject): Promise<KubeObject | undefined> {
    this.refused = this.full;
    if (this.full) return undefined;
    try {
      const created = await this.registry.create(this.def(kind), namespace, obj);
      this.track(kind, undefined, created);
      return created;
    } catch (err) {
      if (!(err instanceof ApiError) || err.code >= 500) throw err;
      if (err.code === 429) this.full = err;
      this.refused = err;
      return undefined;
    }
  }

  /** Why the last create was refused. */
  refused: ApiError | undefined;

  /** Deletes this very object (uid precondition); false if it changed or went meanwhile. */
  async remove(kind: Kind, obj: KubeObject, options: DeleteOptions = {}): Promise<boolean> {
    try {
      const result = await this.registry.delete(this.def(kind), obj.metadata.namespace, obj.metadata.name!, { ...options, preconditions: { uid: obj.metadata.uid } });
      this.track(kind, obj, result.metadata.deletionTimestamp && result.metadata.resourceVersion !== obj.metadata.resourceVersion ? result : undefined);
      return true;
    } catch (err) {
      if (benign(err)) return false;
      throw err;
    }
  }

  /** Read-modify-write of the object as read (compare-and-swap on its resourceVersion). */
  async update(kind: Kind, obj: KubeObject, change: (copy: KubeObject) => void, subresource?: 'status'): Promise<KubeObject | undefined> {
    try {
      const written = await this.registry.mutate(this.def(kind), obj.metadata.namespace, obj.metadata.name!, (current) => { change(current); return current; }, {
        expectedResourceVersion: obj.metadata.resourceVersion, subresource,
      });
      this.track(kind, obj, written);
      return written;
    } catch (err) {
      if (benign(err)) return undefined;
      throw err;
    }
  }

  /** Writes a status only when it differs (key order aside): a steady object costs no write. */
  async writeStatus<T extends KubeObject>(kind: Kind, obj: T, status: unknown): Promise<T | undefined> {
    if (canonicalOf(obj.status ?? noStatus) === canonical(status)) return obj;
    return await this.update(kind, obj, (copy) => { copy.status = status; }, 'status') as T | undefined;
  }

  async event(involved: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, component: string): Promise<void> {
    await recordEvent(this.registry, { involved, type, reason, message, source: { component }, at: this.now });
  }

  /**
   * An event recorded once for a state that persists (a claim waiting for its consumer), where
   * kube-controller-manager repeats it on each 15 s resync: here passes also follow unrelated
   * writes, so repeats would count those instead of time, and an idle cluster would write.
   */
  async eventOnce(involved: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, component: string): Promise<void> {
    const spec: EventSpec = { involved, type, reason, message, source: { component }, at: this.now };
    try {
      await this.registry.get(this.registry.catalog.find('', 'v1', 'events')!, involved.metadata.namespace ?? 'default', eventName(spec));
    } catch (err) {
      if (!(err instanceof ApiError && err.reason === 'NotFound')) throw err;
      await recordEvent(this.registry, spec);
    }
  }

  /**
   * ClaimObjects (controller_ref_manager.go): what the owner controls, after
   * adopting orphans its selector matches and releasing what it no longer matches.
   */
  async claim<K extends 'pods' | 'replicasets'>(kind: K, owner: KubeObject, selector: LabelSelector | undefined, adoptable: (obj: ClusterObjects[K][number]) => boolean = () => true): Promise<ClusterObjects[K]> {
    const out: KubeObject[] = [];
    for (const obj of [...(this.inNamespace(kind, owner.metadata.namespace) as KubeObject[])]) {
      const ref = controllerOf(obj);
      if (ref && ref.uid !== owner.metadata.uid) continue; // someone else's
      const matches = selectorMatches(selector, obj.metadata.labels);
      if (ref) {
        if (matches || isDeleting(obj)) { out.push(obj); continue; }
        await this.update(kind, obj, (copy) => { copy.metadata.ownerReferences = ownerReferences(copy).filter((r) => r.uid !== owner.metadata.uid); });
        continue;
      }
      if (!matches || isDeleting(obj) || isDeleting(owner) || !adoptable(obj as ClusterObjects[K][number])) continue;
      const adopted = await this.update(kind, obj, (copy) => {
        if (controllerOf(copy)) return;
        copy.metadata.ownerReferences = [...ownerReferences(copy), controllerRef(owner)];
      });
      if (adopted && controllerOf(adopted)?.uid === owner.metadata.uid) out.push(adopted);
    }
    return out as ClusterObjects[K];
  }
}
