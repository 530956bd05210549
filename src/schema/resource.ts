import * as v from 'valibot';
import { bool, int, kubeObject, list, named, objectMeta, opaque, quantity, str, strMap, struct, time } from './base.ts';
import { metaCondition } from './common.ts';

/**
 * resource.k8s.io/v1: dynamic resource allocation (GA in 1.34). Claims for devices that drivers
 * publish in ResourceSlices, selected by DeviceClasses. Fields as k8s.io/api/resource/v1; CEL
 * selectors and opaque driver parameters are kept as given (nothing here evaluates them).
 */
const res = (kind: string) => `io.k8s.api.resource.v1.${kind}`;

/** core/v1 NodeSelector (kept as given: nothing here schedules on it). */
const nodeSelector = named('io.k8s.api.core.v1.NodeSelector', opaque());
const byName = <T extends v.GenericSchema>(item: T) => v.record(v.string(), item);

const celSelector = named(res('DeviceSelector'), struct({ cel: named(res('CELDeviceSelector'), struct({ expression: str() })) }));
const opaqueConfig = named(res('OpaqueDeviceConfiguration'), struct({ driver: str(), parameters: opaque() }));
const deviceToleration = named(res('DeviceToleration'), struct({ key: str(), operator: str(), value: str(), effect: str(), tolerationSeconds: int() }));
const capacityRequirements = named(res('CapacityRequirements'), struct({ requests: strMap() }));

const exactRequest = named(res('ExactDeviceRequest'), struct({
  deviceClassName: str(), selectors: list(celSelector), allocationMode: str(), count: int(), adminAccess: bool(),
  tolerations: list(deviceToleration), capacity: capacityRequirements,
}));
const subRequest = named(res('DeviceSubRequest'), struct({
  name: str(), deviceClassName: str(), selectors: list(celSelector), allocationMode: str(), count: int(),
  tolerations: list(deviceToleration), capacity: capacityRequirements,
}));

export const resourceClaimSpec = named(res('ResourceClaimSpec'), struct({
  devices: named(res('DeviceClaim'), struct({
    requests: list(named(res('DeviceRequest'), struct({ name: str(), exactly: exactRequest, firstAvailable: list(subRequest) }))),
    constraints: list(named(res('DeviceConstraint'), struct({ requests: list(str()), matchAttribute: str(), distinctAttribute: str() }))),
    config: list(named(res('DeviceClaimConfiguration'), struct({ requests: list(str()), opaque: opaqueConfig }))),
  })),
}));

const allocationResult = named(res('AllocationResult'), struct({
  devices: named(res('DeviceAllocationResult'), struct({
    results: list(named(res('DeviceRequestAllocationResult'), struct({
      request: str(), driver: str(), pool: str(), device: str(), adminAccess: bool(), tolerations: list(deviceToleration),
      bindingConditions: list(str()), bindingFailureConditions: list(str()), shareID: str(), consumedCapacity: strMap(),
    }))),
    config: list(named(res('DeviceAllocationConfiguration'), struct({ source: str(), requests: list(str()), opaque: opaqueConfig }))),
  })),
  nodeSelector, allocationTimestamp: time(),
}));

export const resourceClaim = named(res('ResourceClaim'), kubeObject({
  spec: resourceClaimSpec,
  status: named(res('ResourceClaimStatus'), struct({
    allocation: allocationResult,
    reservedFor: list(named(res('ResourceClaimConsumerReference'), struct({ apiGroup: str(), resource: str(), name: str(), uid: str() }))),
    devices: list(named(res('AllocatedDeviceStatus'), struct({
      driver: str(), pool: str(), device: str(), shareID: str(), conditions: list(metaCondition), data: opaque(),
      networkData: named(res('NetworkDeviceData'), struct({ interfaceName: str(), ips: list(str()), hardwareAddress: str() })),
    }))),
  })),
}));

export const resourceClaimTemplate = named(res('ResourceClaimTemplate'), kubeObject({
  spec: named(res('ResourceClaimTemplateSpec'), struct({ metadata: objectMeta, spec: resourceClaimSpec })),
}));

export const deviceClass = named(res('DeviceClass'), kubeObject({
  spec: named(res('DeviceClassSpec'), struct({
    selectors: list(celSelector),
    config: list(named(res('DeviceClassConfiguration'), struct({ opaque: opaqueConfig }))),
    extendedResourceName: str(),
  })),
}));

const deviceAttribute = named(res('DeviceAttribute'), struct({ int: int(), bool: bool(), string: str(), version: str() }));
const device = named(res('Device'), struct({
  name: str(), attributes: byName(deviceAttribute), capacity: byName(named(res('DeviceCapacity'), struct({ value: quantity(), requestPolicy: opaque() }))),
  consumesCounters: list(opaque()), nodeName: str(), nodeSelector, allNodes: bool(), taints: list(opaque()),
  bindsToNode: bool(), bindingConditions: list(str()), bindingFailureConditions: list(str()), allowMultipleAllocations: bool(),
}));

export const resourceSlice = named(res('ResourceSlice'), kubeObject({
  spec: named(res('ResourceSliceSpec'), struct({
    driver: str(),
    pool: named(res('ResourcePool'), struct({ name: str(), generation: int(), resourceSliceCount: int() })),
    nodeName: str(), nodeSelector, allNodes: bool(), devices: list(device), perDeviceNodeSelection: bool(), sharedCounters: list(opaque()),
  })),
}));
