import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { Kubectl } from '../../harness/kubectl.ts';
import { eventually } from '../helpers/eventually.ts';
import { openScenario, type Entry } from './core.ts';

const gatewayCrds = ['gatewayclasses', 'gateways', 'grpcroutes', 'httproutes', 'referencegrants'].map((p) => `${p}.gateway.networking.k8s.io`);

const gateway = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web-gateway}
spec:
  gatewayClassName: nginx
  listeners:
  - {name: http, protocol: HTTP, port: 80, hostname: gateway.web.k8s.local, allowedRoutes: {namespaces: {from: All}}}
`;

const route = (name: string, namespace: string, backend: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  parentRefs: [{name: web-gateway, namespace: default}]
  hostnames: [gateway.web.k8s.local]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [${backend}]
`;

type Condition = { type: string; status: string; reason: string };
const parentConditions = async (kubectl: Kubectl, name: string, namespace = 'default') => {
  const status = parse(await kubectl.ok(['get', 'httproute', name, '-n', namespace, '-o', 'yaml'])).status as { parents?: Array<{ conditions: Condition[] }> } | undefined;
  return (status?.parents?.[0]?.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`).join(' ');
};

/**
 * The Gateway API as a CKA student meets it, judged by the real kubectl v1.35: the standard
 * channel's CRDs are there, `explain` reads them, and the simulated controller accepts the
 * `nginx` class, programs Gateways and reports on routes as a real implementation does.
 */
export function gatewayScenario(label: string, open: () => Promise<Entry>) {
describe(`Gateway API (${label})`, () => {
  let server: Entry, kubectl: Kubectl;
  openScenario(open, (opened) => ({ server, kubectl } = opened));

  it('the standard channel CRDs: get crd, api-resources, explain', async () => {
    const crds = await kubectl.ok(['get', 'crd']);
    for (const name of gatewayCrds) assert.match(crds, new RegExp(`^${name.replace(/\./g, '\\.')}\\s+\\d{4}-\\d\\d-\\d\\dT`, 'm'));
    const resources = await kubectl.ok(['api-resources', '--api-group=gateway.networking.k8s.io']);
    assert.match(resources, /^gatewayclasses\s+gc\s+gateway\.networking\.k8s\.io\/v1\s+false\s+GatewayClass$/m);
    assert.match(resources, /^gateways\s+gtw\s+gateway\.networking\.k8s\.io\/v1\s+true\s+Gateway$/m);
    assert.match(resources, /^grpcroutes\s+gateway\.networking\.k8s\.io\/v1\s+true\s+GRPCRoute$/m);
    assert.match(resources, /^httproutes\s+gateway\.networking\.k8s\.io\/v1\s+true\s+HTTPRoute$/m);
    assert.match(resources, /^referencegrants\s+refgrant\s+gateway\.networking\.k8s\.io\/v1beta1\s+true\s+ReferenceGrant$/m);
    assert.match(await kubectl.ok(['api-versions']), /^gateway\.networking\.k8s\.io\/v1beta1$/m);
    const explain = await kubectl.ok(['explain', 'gateway.spec.listeners']);
    assert.match(explain, /^GROUP:\s+gateway\.networking\.k8s\.io$/m);
    assert.match(explain, /^FIELD: listeners <\[\]Object>$/m);
    assert.match(explain, /^\s+protocol\s+<string> -required-$/m);
    assert.match(explain, /Listeners associated with this Gateway/);
  });

  it('the nginx GatewayClass is Accepted; a Gateway of it is Programmed with an address', async () => {
    assert.match(await kubectl.ok(['get', 'gatewayclass']), /^NAME\s+CONTROLLER\s+ACCEPTED\s+AGE\nnginx\s+apiserverless\.dev\/gateway-controller\s+True\s+\S+\n$/);
    await kubectl.ok(['apply', '-f', '-'], { input: gateway });
    const table = await eventually(() => kubectl.ok(['get', 'gateway']), (out) => /\sTrue\s/.test(out), 'the gateway programmed');
    assert.match(table, /^NAME\s+CLASS\s+ADDRESS\s+PROGRAMMED\s+AGE\nweb-gateway\s+nginx\s+192\.168\.0\.\d+\s+True\s+\S+\n$/);
  });

  it('an HTTPRoute to a Service: Accepted and ResolvedRefs, counted on the listener', async () => {
    await kubectl.ok(['create', 'deployment', 'web', '--image=nginx']);
    await kubectl.ok(['expose', 'deployment', 'web', '--port=80']);
    await kubectl.ok(['apply', '-f', '-'], { input: route('web-route', 'default', '{name: web, port: 80}') });
    await eventually(() => parentConditions(kubectl, 'web-route'), (c) => c === 'Accepted=True/Accepted ResolvedRefs=True/ResolvedRefs', 'the route accepted');
    assert.match(await kubectl.ok(['get', 'httproute']), /^NAME\s+HOSTNAMES\s+AGE\nweb-route\s+\["gateway\.web\.k8s\.local"\]\s+\S+\n$/);
    const describe = await kubectl.ok(['describe', 'httproute', 'web-route']);
    assert.match(describe, /Controller Name:\s+apiserverless\.dev\/gateway-controller/);
    assert.match(describe, /Reason:\s+Accepted\n\s+Status:\s+True\n\s+Type:\s+Accepted/);
    assert.match(describe, /Reason:\s+ResolvedRefs\n\s+Status:\s+True\n\s+Type:\s+ResolvedRefs/);
    await eventually(() => kubectl.ok(['get', 'gateway', 'web-gateway', '-o', 'jsonpath={.status.listeners[0].attachedRoutes}']), (n) => n === '1', 'the route counted');
    assert.match(await kubectl.ok(['describe', 'gateway', 'web-gateway']), /Attached Routes:\s+1/);
  });

  it('a route to a missing Service: ResolvedRefs False BackendNotFound, until it is created', async () => {
    await kubectl.ok(['apply', '-f', '-'], { input: route('missing', 'default', '{name: nowhere, port: 80}') });
    await eventually(() => parentConditions(kubectl, 'missing'), (c) => c === 'Accepted=True/Accepted ResolvedRefs=False/BackendNotFound', 'BackendNotFound');
    await kubectl.ok(['create', 'service', 'clusterip', 'nowhere', '--tcp=80:80']);
    await eventually(() => parentConditions(kubectl, 'missing'), (c) => c === 'Accepted=True/Accepted ResolvedRefs=True/ResolvedRefs', 'resolved once the Service exists');
  });

  it('a backend in another namespace: RefNotPermitted until a ReferenceGrant allows it', async () => {
    await kubectl.ok(['create', 'namespace', 'frontend']);
    await kubectl.ok(['apply', '-f', '-'], { input: route('cross', 'frontend', '{name: web, namespace: default, port: 80}') });
    await eventually(() => parentConditions(kubectl, 'cross', 'frontend'), (c) => c === 'Accepted=True/Accepted ResolvedRefs=False/RefNotPermitted', 'RefNotPermitted');
    await kubectl.ok(['apply', '-f', '-'], { input: `apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: from-frontend, namespace: default}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: frontend}]
  to: [{group: "", kind: Service}]
` });
    await eventually(() => parentConditions(kubectl, 'cross', 'frontend'), (c) => c === 'Accepted=True/Accepted ResolvedRefs=True/ResolvedRefs', 'permitted by the grant');
    await eventually(() => kubectl.ok(['get', 'gateway', 'web-gateway', '-o', 'jsonpath={.status.listeners[0].attachedRoutes}']), (n) => n === '3', 'three routes counted');
  });
});
}
