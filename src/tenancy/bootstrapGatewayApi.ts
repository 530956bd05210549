import { gatewayControllerName, syncGateways } from '../controlplane/controllers/gateway.ts';
import type { Registry } from '../registry/generic.ts';
import { gatewayApiCrds, gatewayApiDefs } from '../registry/gatewayApi.ts';
import { apiextensionsGroup } from '../registry/resources/customresourcedefinitions.ts';
import type { KubeObject } from '../registry/types.ts';
import { createEach } from './createEach.ts';

/**
 * The Gateway API as a course cluster has it: the standard channel's CRDs, applied from the
 * release's standard-install.yaml, and an implementation's GatewayClass. CKA tasks name the
 * class `nginx` (NGINX Gateway Fabric's); here it names the simulated controller
 * (controlplane/controllers/gateway.ts), which accepts it before the cluster is handed out.
 *
 * The CRDs are written into each cluster (~220 KB of JSON, five objects) rather than served as
 * a shared read-only layer: then they are ordinary objects that `kubectl delete crd`,
 * `edit` and a re-`apply` of standard-install.yaml treat as on a real cluster, and no part of
 * the generic registry has to merge stored and virtual objects in list, get and watch.
 */
export const gatewayClassName = 'nginx';

export async function writeGatewayApi(registry: Registry): Promise<void> {
  const crdDef = registry.catalog.find(apiextensionsGroup, 'v1', 'customresourcedefinitions');
  if (!crdDef) return;
  await createEach(registry, (await gatewayApiCrds()).map((crd) => ({ def: crdDef, object: crd as KubeObject })));
  const classDef = (await gatewayApiDefs()).get('gatewayclasses')!;
  await createEach(registry, [{ def: classDef, object: { apiVersion: `${classDef.group}/${classDef.version}`, kind: 'GatewayClass', metadata: { name: gatewayClassName }, spec: { controllerName: gatewayControllerName } } as KubeObject }]);
  // Its Accepted status now, so the first pass after hand-out finds nothing to write.
  await syncGateways(registry);
}
