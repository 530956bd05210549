import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { syncGateways } from '../src/controlplane/controllers/gateway.ts';
import { ClusterCatalogs } from '../src/registry/clusterCatalogs.ts';
import { Registry } from '../src/registry/generic.ts';
import { gatewayApiDefs } from '../src/registry/gatewayApi.ts';
import type { KubeObject } from '../src/registry/types.ts';
import { provisionedMemoryCluster } from './helpers/memoryCluster.ts';

/** The simulated gateway controller's verdicts, without kubectl: what the e2e scenario does not reach. */
async function cluster() {
  const { ports, catalog } = await provisionedMemoryCluster(['controlplane', 'node01']);
  const registry = new Registry(catalog, ports, 'c');
  const defs = await gatewayApiDefs();
  const create = (plural: string, namespace: string | undefined, obj: Record<string, unknown>) => registry.create(defs.get(plural)!, namespace, obj as KubeObject);
  const get = (plural: string, namespace: string | undefined, name: string) => registry.get(defs.get(plural)!, namespace, name) as Promise<KubeObject & { status?: Record<string, any> }>;
  return { ports, catalog, registry, create, get };
}

const verdicts = (conditions: Array<{ type: string; status: string; reason: string }> | undefined) => (conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`).join(' ');

describe('gateway controller', () => {
  it('accepts the bootstrap class at provisioning, and a second pass over a steady cluster writes nothing', async () => {
    const { ports, registry, get } = await cluster();
    assert.equal(verdicts((await get('gatewayclasses', undefined, 'nginx')).status?.conditions), 'Accepted=True/Accepted SupportedVersion=True/SupportedVersion');
    const before = await ports.store.cluster('c').currentRevision();
    await syncGateways(registry);
    assert.equal(await ports.store.cluster('c').currentRevision(), before);
  });

  it('leaves a class of another controller and its Gateways alone', async () => {
    const { registry, create, get } = await cluster();
    await create('gatewayclasses', undefined, { metadata: { name: 'other' }, spec: { controllerName: 'example.com/other' } });
    await create('gateways', 'default', { metadata: { name: 'g' }, spec: { gatewayClassName: 'other', listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] } });
    await syncGateways(registry);
    assert.equal((await get('gatewayclasses', undefined, 'other')).status?.conditions?.some((c: { status: string }) => c.status === 'True') ?? false, false);
    assert.equal((await get('gateways', 'default', 'g')).status?.listeners, undefined);
  });

  it('listeners: unsupported protocol, missing certificate, conflicts; routes: namespaces, hostnames, sections', async () => {
    const { registry, create, get } = await cluster();
    await create('gateways', 'default', { metadata: { name: 'g' }, spec: { gatewayClassName: 'nginx', listeners: [
      { name: 'http', protocol: 'HTTP', port: 80, hostname: '*.example.com' },
      { name: 'https', protocol: 'HTTPS', port: 443, tls: { certificateRefs: [{ name: 'missing-cert' }] } },
      { name: 'tcp', protocol: 'TCP', port: 9000 },
    ] } });
    await create('httproutes', 'default', { metadata: { name: 'ok' }, spec: { parentRefs: [{ name: 'g' }], hostnames: ['a.example.com'] } });
    await create('httproutes', 'default', { metadata: { name: 'wrong-host' }, spec: { parentRefs: [{ name: 'g', sectionName: 'http' }], hostnames: ['a.example.org'] } });
    await create('httproutes', 'default', { metadata: { name: 'no-section' }, spec: { parentRefs: [{ name: 'g', sectionName: 'nope' }] } });
    await create('httproutes', 'kube-public', { metadata: { name: 'elsewhere' }, spec: { parentRefs: [{ name: 'g', namespace: 'default' }] } });
    await syncGateways(registry);
    const gw = (await get('gateways', 'default', 'g')).status!;
    assert.equal(verdicts(gw.conditions), 'Accepted=True/ListenersNotValid Programmed=True/Programmed');
    const listener = (name: string) => gw.listeners.find((l: { name: string }) => l.name === name);
    assert.equal(verdicts(listener('http').conditions), 'Accepted=True/Accepted Programmed=True/Programmed ResolvedRefs=True/ResolvedRefs Conflicted=False/NoConflicts');
    assert.equal(listener('http').attachedRoutes, 1);
    assert.deepEqual(listener('http').supportedKinds, [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }, { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute' }]);
    assert.equal(verdicts(listener('https').conditions), 'Accepted=True/Accepted Programmed=False/Invalid ResolvedRefs=False/InvalidCertificateRef Conflicted=False/NoConflicts');
    assert.equal(verdicts(listener('tcp').conditions), 'Accepted=False/UnsupportedProtocol Programmed=False/Invalid ResolvedRefs=True/ResolvedRefs Conflicted=False/NoConflicts');
    const route = async (ns: string, name: string) => verdicts((await get('httproutes', ns, name)).status?.parents?.[0]?.conditions);
    assert.equal(await route('default', 'ok'), 'Accepted=True/Accepted ResolvedRefs=True/ResolvedRefs');
    assert.equal(await route('default', 'wrong-host'), 'Accepted=False/NoMatchingListenerHostname ResolvedRefs=True/ResolvedRefs');
    assert.equal(await route('default', 'no-section'), 'Accepted=False/NoMatchingParent ResolvedRefs=True/ResolvedRefs');
    assert.equal(await route('kube-public', 'elsewhere'), 'Accepted=False/NotAllowedByListeners ResolvedRefs=True/ResolvedRefs');
  });

  it('a catalog reload with unchanged CRDs keeps the catalog; a changed CRD rebuilds it', async () => {
    const { catalog, registry } = await cluster();
    let now = Date.now();
    const catalogs = new ClusterCatalogs(catalog, { now: () => new Date(now) });
    const first = await catalogs.catalog('c', 'uid', () => registry);
    assert.ok(first.find('gateway.networking.k8s.io', 'v1', 'httproutes'));
    now += 5000;
    assert.equal(await catalogs.catalog('c', 'uid', () => registry), first);
    const crds = catalog.find('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
    await registry.delete(crds, undefined, 'grpcroutes.gateway.networking.k8s.io');
    now += 5000;
    const after = await catalogs.catalog('c', 'uid', () => registry);
    assert.equal(after.find('gateway.networking.k8s.io', 'v1', 'grpcroutes'), undefined);
  });
});
