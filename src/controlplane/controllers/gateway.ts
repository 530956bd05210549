import { ApiError } from '../../apimachinery/errors.ts';
import { hash64 } from '../../apimachinery/hash.ts';
import { selectorMatches, type LabelSelector } from '../../apimachinery/selectors.ts';
import { timestamp } from '../../apimachinery/time.ts';
import type { Registry } from '../../registry/generic.ts';
import { gatewayApiDefs, gatewayGroup } from '../../registry/gatewayApi.ts';
import type { KubeObject } from '../../registry/types.ts';
import { clusterPrefix } from '../../storage/store.ts';
import { benign } from './context.ts';
import { canonical } from './names.ts';
import { gatewayControllerName } from '../../runtime/httpRouting.ts';
import { parseStoredObject } from '../../registry/storedFields.ts';

/**
 * A simulated Gateway API implementation: what a conformant controller (NGINX Gateway Fabric,
 * Envoy Gateway) writes into the status of the objects it owns, so `kubectl get gateway` shows
 * PROGRAMMED True and `describe httproute` Accepted/ResolvedRefs. It owns the GatewayClasses
 * naming `gatewayControllerName`, the Gateways of those classes and the route parents that are
 * such Gateways; everything else it leaves alone, as a real controller does (so a class naming
 * another controller stays `Unknown`/`Pending`, as with no such controller installed).
 * Traffic is routed by the data plane of runtime/httpRouting.ts, from what this controller writes.
 *
 * Level-triggered: each pass reads every Gateway API object of the cluster, computes each
 * status afresh (keeping a condition's lastTransitionTime while its status holds) and writes
 * only what differs, so a steady cluster costs no write.
 */
export { gatewayControllerName };

const routeKinds = ['HTTPRoute', 'GRPCRoute'] as const;
type RouteKind = (typeof routeKinds)[number];
const routePlurals: Record<RouteKind, string> = { HTTPRoute: 'httproutes', GRPCRoute: 'grpcroutes' };

interface Condition { type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string; observedGeneration?: number; lastTransitionTime?: string }
interface RouteGroupKind { group?: string; kind: string }
interface ObjectRef { group?: string; kind?: string; name: string; namespace?: string }
interface Listener {
  name: string; hostname?: string; port: number; protocol: string;
  tls?: { mode?: string; certificateRefs?: ObjectRef[] };
  allowedRoutes?: { namespaces?: { from?: string; selector?: LabelSelector }; kinds?: RouteGroupKind[] };
}
type GatewayClass = KubeObject & { spec: { controllerName: string }; status?: { conditions?: Condition[] } };
type Gateway = KubeObject & { spec: { gatewayClassName: string; listeners?: Listener[] }; status?: Record<string, unknown> };
interface ParentRef { group?: string; kind?: string; namespace?: string; name: string; sectionName?: string; port?: number }
interface BackendRef { group?: string; kind?: string; name: string; namespace?: string }
type Route = KubeObject & {
  spec: { parentRefs?: ParentRef[]; hostnames?: string[]; rules?: Array<{ backendRefs?: BackendRef[] }> };
  status?: { parents?: Array<{ parentRef: ParentRef; controllerName: string; conditions?: Condition[] }> };
};
/** A listener as this pass judged it: the route kinds it takes, its conditions, the routes it counts. */
interface ListenerState { listener: Listener; kinds: RouteKind[]; conditions: Condition[]; valid: boolean; attached: number }
type ReferenceGrant = KubeObject & { spec: { from: Array<{ group: string; kind: string; namespace: string }>; to: Array<{ group: string; kind: string; name?: string }> } };

/** A Gateway API object's conditions, each keeping its old lastTransitionTime while its status holds. */
function conditions(next: Condition[], old: Condition[] | undefined, generation: number | undefined, now: string): Condition[] {
  return next.map(({ type, status, reason, message }) => {
    const before = old?.find((o) => o.type === type);
    const lastTransitionTime = before && before.status === status ? before.lastTransitionTime : now;
    return { lastTransitionTime, message, observedGeneration: generation ?? 1, reason, status, type };
  });
}

const cond = (type: string, ok: boolean, reason: string, message: string): Condition => ({ type, status: ok ? 'True' : 'False', reason, message });

/** What one pass reads: every Gateway API object, by plural, as stored. */
async function readGatewayObjects(registry: Registry): Promise<Map<string, KubeObject[]>> {
  const prefix = `${clusterPrefix(registry.cluster)}${gatewayGroup}/`;
  const out = new Map<string, KubeObject[]>();
  let startAfter: string | undefined;
  for (;;) {
    const page = await registry.store.list(prefix, { startAfter, limit: 5000 });
    for (const kv of page.items) {
      const plural = kv.key.slice(prefix.length, kv.key.indexOf('/', prefix.length));
      const obj = parseStoredObject(kv.value);
      obj.metadata.resourceVersion = String(kv.modRevision);
      (out.get(plural) ?? out.set(plural, []).get(plural)!).push(obj);
    }
    if (!page.more || !page.items.length) return out;
    startAfter = page.items[page.items.length - 1].key;
  }
}

/** Writes a status when it differs (key order aside); a conflict means a newer write brings another pass. */
async function writeStatus(registry: Registry, plural: string, obj: KubeObject, status: unknown): Promise<void> {
  if (canonical(obj.status ?? {}) === canonical(status)) return;
  const def = (await gatewayApiDefs()).get(plural)!;
  try {
    await registry.mutate(def, obj.metadata.namespace, obj.metadata.name!, (copy) => { copy.status = status; }, { expectedResourceVersion: obj.metadata.resourceVersion, subresource: 'status' });
  } catch (err) {
    if (!benign(err)) throw err;
  }
}

/** Does a listener hostname (maybe a `*.` wildcard) admit a route hostname (maybe one too)? */
function hostnamesIntersect(listener: string | undefined, route: string): boolean {
  if (!listener) return true;
  const covers = (wild: string, name: string) => wild.startsWith('*.') && name.endsWith(wild.slice(1)) && name.length > wild.length - 1;
  return listener === route || covers(listener, route) || covers(route, listener);
}

/** The address a LoadBalancer Service in front of the Gateway would get: stable per Gateway. */
const gatewayAddress = (gw: Gateway) => `192.168.0.${200 + (parseInt(hash64(`${gw.metadata.namespace}/${gw.metadata.name}`).slice(0, 8), 16) % 50)}`;

/** The kinds a listener of this protocol takes, as the implementation supports them. */
const protocolKinds = (protocol: string): RouteKind[] => (protocol === 'HTTP' || protocol === 'HTTPS' ? [...routeKinds] : []);

/** Changes that can change what the gateway controller writes: its own kinds, and the core objects they name. */
export const gatewayInputs = (event: { group: string; resource: string }): boolean =>
  event.group === gatewayGroup || (event.group === '' && ['services', 'secrets', 'namespaces'].includes(event.resource));

export async function syncGateways(registry: Registry): Promise<void> {
  const objects = await readGatewayObjects(registry);
  const of = <T extends KubeObject>(plural: string) => (objects.get(plural) ?? []) as T[];
  const ours = of<GatewayClass>('gatewayclasses').filter((gc) => gc.spec?.controllerName === gatewayControllerName && !gc.metadata.deletionTimestamp);
  if (!ours.length) return;
  const now = timestamp(registry.now());
  const classNames = new Set(ours.map((gc) => gc.metadata.name));
  for (const gc of ours) {
    await writeStatus(registry, 'gatewayclasses', gc, {
      ...gc.status,
      conditions: conditions([
        cond('Accepted', true, 'Accepted', 'GatewayClass is accepted'),
        cond('SupportedVersion', true, 'SupportedVersion', 'Gateway API CRD versions are supported'),
      ], gc.status?.conditions, gc.metadata.generation, now),
    });
  }
  const gateways = of<Gateway>('gateways').filter((gw) => classNames.has(gw.spec?.gatewayClassName));
  if (!gateways.length) return;
  const grants = of<ReferenceGrant>('referencegrants');
  const lookups = new Lookups(registry);
  const permitted = (fromKind: string, fromNamespace: string, to: { group: string; kind: string; namespace: string; name: string }) =>
    fromNamespace === to.namespace || grants.some((g) => g.metadata.namespace === to.namespace
      && g.spec?.from?.some((f) => f.group === gatewayGroup && f.kind === fromKind && f.namespace === fromNamespace)
      && g.spec?.to?.some((t) => t.group === to.group && t.kind === to.kind && (!t.name || t.name === to.name)));

  // Listeners first: which are valid, and what each admits.
  const listenerState = new Map<Gateway, ListenerState[]>();
  for (const gw of gateways) {
    const listeners = gw.spec.listeners ?? [];
    const states: ListenerState[] = [];
    for (const listener of listeners) {
      const supported = protocolKinds(listener.protocol);
      const list: Condition[] = [];
      let accepted = true, resolved = true, conflicted = false;
      let acceptedWhy = cond('Accepted', true, 'Accepted', 'Listener is accepted');
      let resolvedWhy = cond('ResolvedRefs', true, 'ResolvedRefs', 'All references are resolved');
      let conflictWhy = cond('Conflicted', false, 'NoConflicts', 'No conflicts');
      if (!supported.length) {
        accepted = false;
        acceptedWhy = cond('Accepted', false, 'UnsupportedProtocol', `Protocol "${listener.protocol}" is not supported, use one of "HTTP", "HTTPS"`);
      }
      const asked = listener.allowedRoutes?.kinds;
      const kinds = asked?.length ? supported.filter((k) => asked.some((a) => (a.group ?? gatewayGroup) === gatewayGroup && a.kind === k)) : supported;
      const invalidKinds = (asked ?? []).filter((a) => (a.group ?? gatewayGroup) !== gatewayGroup || !supported.includes(a.kind as RouteKind));
      if (supported.length && invalidKinds.length) {
        resolved = false;
        resolvedWhy = cond('ResolvedRefs', false, 'InvalidRouteKinds', `Unsupported route kind "${invalidKinds[0].kind}"`);
      }
      if (listener.protocol === 'HTTPS' && resolved) {
        for (const ref of listener.tls?.certificateRefs ?? []) {
          const namespace = ref.namespace ?? gw.metadata.namespace!;
          if ((ref.group ?? '') !== '' || (ref.kind ?? 'Secret') !== 'Secret') {
            resolved = false;
            resolvedWhy = cond('ResolvedRefs', false, 'InvalidCertificateRef', `Unsupported certificate reference kind "${ref.kind}"`);
          } else if (!permitted('Gateway', gw.metadata.namespace!, { group: '', kind: 'Secret', namespace, name: ref.name })) {
            resolved = false;
            resolvedWhy = cond('ResolvedRefs', false, 'RefNotPermitted', `Certificate ref to secret ${namespace}/${ref.name} not permitted by any ReferenceGrant`);
          } else if (!(await lookups.exists('secrets', namespace, ref.name))) {
            resolved = false;
            resolvedWhy = cond('ResolvedRefs', false, 'InvalidCertificateRef', `Secret "${namespace}/${ref.name}" does not exist`);
          }
          if (!resolved) break;
        }
      }
      const clash = listeners.find((o) => o !== listener && o.port === listener.port && (o.protocol !== listener.protocol || (o.hostname ?? '') === (listener.hostname ?? '')));
      if (clash) {
        conflicted = true;
        conflictWhy = clash.protocol !== listener.protocol
          ? cond('Conflicted', true, 'ProtocolConflict', `Multiple listeners for the same port ${listener.port} specify incompatible protocols`)
          : cond('Conflicted', true, 'HostnameConflict', `Multiple listeners for the same port ${listener.port} specify the same hostname`);
      }
      const valid = accepted && resolved && !conflicted;
      list.push(acceptedWhy, valid ? cond('Programmed', true, 'Programmed', 'Listener is programmed') : cond('Programmed', false, 'Invalid', 'Listener is invalid for this parent ref'), resolvedWhy, conflictWhy);
      states.push({ listener, kinds, conditions: list, valid, attached: 0 });
    }
    listenerState.set(gw, states);
  }

  // Then routes: each parent that is one of these Gateways gets this controller's entry.
  for (const kind of routeKinds) {
    const plural = routePlurals[kind];
    for (const route of of<Route>(plural)) {
      const namespace = route.metadata.namespace!;
      const parents: NonNullable<NonNullable<Route['status']>['parents']> = [];
      for (const ref of route.spec?.parentRefs ?? []) {
        if ((ref.group ?? gatewayGroup) !== gatewayGroup || (ref.kind ?? 'Gateway') !== 'Gateway') continue;
        const gw = gateways.find((g) => g.metadata.namespace === (ref.namespace ?? namespace) && g.metadata.name === ref.name);
        if (!gw) continue;
        const states = listenerState.get(gw)!;
        const matching = states.filter((s) => (!ref.sectionName || s.listener.name === ref.sectionName) && (!ref.port || s.listener.port === ref.port));
        const allowing: ListenerState[] = [];
        for (const s of matching) {
          if (!s.valid || !s.kinds.includes(kind)) continue;
          const from = s.listener.allowedRoutes?.namespaces?.from ?? 'Same';
          if (from === 'Same' && namespace !== gw.metadata.namespace) continue;
          if (from === 'Selector' && !selectorMatches(s.listener.allowedRoutes?.namespaces?.selector, await lookups.namespaceLabels(namespace))) continue;
          allowing.push(s);
        }
        const hosts = route.spec?.hostnames ?? [];
        const attached = allowing.filter((s) => !hosts.length || hosts.some((h) => hostnamesIntersect(s.listener.hostname, h)));
        const accepted = !matching.length ? cond('Accepted', false, 'NoMatchingParent', 'Listener is not found for this parent ref')
          : !allowing.length ? cond('Accepted', false, 'NotAllowedByListeners', 'Route is not allowed by any listener')
            : !attached.length ? cond('Accepted', false, 'NoMatchingListenerHostname', 'Listener hostname does not match the Route hostnames')
              : cond('Accepted', true, 'Accepted', 'The route is accepted');
        for (const s of attached) s.attached++;
        const old = route.status?.parents?.find((p) => p.controllerName === gatewayControllerName && canonical(p.parentRef) === canonical(ref));
        parents.push({
          parentRef: ref, controllerName: gatewayControllerName,
          conditions: conditions([accepted, await resolvedRefs(route, kind, lookups, permitted)], old?.conditions, route.metadata.generation, now),
        });
      }
      const others = (route.status?.parents ?? []).filter((p) => p.controllerName !== gatewayControllerName);
      if (!parents.length && !route.status?.parents?.some((p) => p.controllerName === gatewayControllerName)) continue;
      await writeStatus(registry, plural, route, { ...route.status, parents: [...others, ...parents] });
    }
  }

  for (const gw of gateways) {
    const states = listenerState.get(gw)!;
    const valid = states.some((s) => s.valid);
    const allValid = states.every((s) => s.valid);
    const old = gw.status as { conditions?: Condition[]; listeners?: Array<{ name: string; conditions?: Condition[] }> } | undefined;
    const generation = gw.metadata.generation;
    await writeStatus(registry, 'gateways', gw, {
      addresses: valid ? [{ type: 'IPAddress', value: gatewayAddress(gw) }] : [],
      conditions: conditions([
        allValid ? cond('Accepted', true, 'Accepted', 'Gateway is accepted')
          : cond('Accepted', valid, 'ListenersNotValid', valid ? 'Gateway has at least one valid listener' : 'Gateway has no valid listeners'),
        valid ? cond('Programmed', true, 'Programmed', 'Gateway is programmed') : cond('Programmed', false, 'Invalid', 'Gateway has no valid listeners'),
      ], old?.conditions, generation, now),
      listeners: states.map((s) => ({
        name: s.listener.name,
        supportedKinds: s.kinds.map((kind) => ({ group: gatewayGroup, kind })),
        attachedRoutes: s.attached,
        conditions: conditions(s.conditions, old?.listeners?.find((l) => l.name === s.listener.name)?.conditions, generation, now),
      })),
    });
  }
}

/** ResolvedRefs of a route: the first backend that cannot be used says why, as field errors do. */
async function resolvedRefs(route: Route, kind: RouteKind, lookups: Lookups, permitted: (fromKind: string, fromNamespace: string, to: { group: string; kind: string; namespace: string; name: string }) => boolean): Promise<Condition> {
  const namespace = route.metadata.namespace!;
  for (const [i, rule] of (route.spec?.rules ?? []).entries()) {
    for (const [j, ref] of (rule.backendRefs ?? []).entries()) {
      const path = `spec.rules[${i}].backendRefs[${j}]`;
      const refKind = ref.kind ?? 'Service';
      if ((ref.group ?? '') !== '' || refKind !== 'Service') return cond('ResolvedRefs', false, 'InvalidKind', `${path}.kind: Unsupported value: "${refKind}": supported values: "Service"`);
      const target = ref.namespace ?? namespace;
      if (!permitted(kind, namespace, { group: '', kind: 'Service', namespace: target, name: ref.name })) {
        return cond('ResolvedRefs', false, 'RefNotPermitted', `${path}.namespace: Forbidden: Backend ref to Service ${target}/${ref.name} not permitted by any ReferenceGrant`);
      }
      if (!(await lookups.exists('services', target, ref.name))) return cond('ResolvedRefs', false, 'BackendNotFound', `${path}.name: Not found: "${ref.name}"`);
    }
  }
  return cond('ResolvedRefs', true, 'ResolvedRefs', 'All references are resolved');
}

/** Core objects the pass asks about, read once each. */
class Lookups {
  private readonly seen = new Map<string, Promise<KubeObject | undefined>>();
  constructor(private readonly registry: Registry) {}

  private read(plural: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const key = `${plural}/${namespace ?? ''}/${name}`;
    let found = this.seen.get(key);
    if (!found) {
      const def = this.registry.catalog.find('', 'v1', plural)!;
      found = this.registry.get(def, namespace, name).catch((err: unknown) => {
        if (err instanceof ApiError && err.reason === 'NotFound') return undefined;
        throw err;
      });
      this.seen.set(key, found);
    }
    return found;
  }

  async exists(plural: 'services' | 'secrets', namespace: string, name: string): Promise<boolean> {
    return !!(await this.read(plural, namespace, name));
  }

  async namespaceLabels(namespace: string): Promise<Record<string, string>> {
    return (await this.read('namespaces', undefined, namespace))?.metadata.labels ?? {};
  }
}
