import { int, intOrString, kubeObject, list, named, str, struct } from './base.ts';
import { labelSelector, metaCondition, typedLocalObjectReference } from './common.ts';

/** networking.k8s.io/v1 wire types. */
const net = (kind: string) => `io.k8s.api.networking.v1.${kind}`;

const ingressBackend = named(net('IngressBackend'), struct({
  service: named(net('IngressServiceBackend'), struct({ name: str(), port: named(net('ServiceBackendPort'), struct({ name: str(), number: int() })) })),
  resource: typedLocalObjectReference,
}));
const ingressPortStatus = named(net('IngressPortStatus'), struct({ port: int(), protocol: str(), error: str() }));

export const ingress = named(net('Ingress'), kubeObject({
  spec: named(net('IngressSpec'), struct({
    ingressClassName: str(), defaultBackend: ingressBackend,
    tls: list(named(net('IngressTLS'), struct({ hosts: list(str()), secretName: str() }))),
    rules: list(named(net('IngressRule'), struct({
      host: str(),
      http: named(net('HTTPIngressRuleValue'), struct({
        paths: list(named(net('HTTPIngressPath'), struct({ path: str(), pathType: str(), backend: ingressBackend }))),
      })),
    }))),
  })),
  status: named(net('IngressStatus'), struct({
    loadBalancer: named(net('IngressLoadBalancerStatus'), struct({
      ingress: list(named(net('IngressLoadBalancerIngress'), struct({ ip: str(), hostname: str(), ports: list(ingressPortStatus) }))),
    })),
  })),
}));

export const ingressClass = named(net('IngressClass'), kubeObject({
  spec: named(net('IngressClassSpec'), struct({
    controller: str(),
    parameters: named(net('IngressClassParametersReference'), struct({ apiGroup: str(), kind: str(), name: str(), scope: str(), namespace: str() })),
  })),
}));

const networkPolicyPort = named(net('NetworkPolicyPort'), struct({ protocol: str(), port: intOrString(), endPort: int() }));
const networkPolicyPeer = named(net('NetworkPolicyPeer'), struct({
  podSelector: labelSelector, namespaceSelector: labelSelector, ipBlock: named(net('IPBlock'), struct({ cidr: str(), except: list(str()) })),
}));

export const networkPolicy = named(net('NetworkPolicy'), kubeObject({
  spec: named(net('NetworkPolicySpec'), struct({
    podSelector: labelSelector, policyTypes: list(str()),
    ingress: list(named(net('NetworkPolicyIngressRule'), struct({ ports: list(networkPolicyPort), from: list(networkPolicyPeer) }))),
    egress: list(named(net('NetworkPolicyEgressRule'), struct({ ports: list(networkPolicyPort), to: list(networkPolicyPeer) }))),
  })),
}));

/** networking.k8s.io/v1 ServiceCIDR and IPAddress (GA in 1.33): the ranges Service ClusterIPs come from, and each IP taken. */
export const serviceCIDR = named(net('ServiceCIDR'), kubeObject({
  spec: named(net('ServiceCIDRSpec'), struct({ cidrs: list(str()) })),
  status: named(net('ServiceCIDRStatus'), struct({ conditions: list(metaCondition) })),
}));

export const ipAddress = named(net('IPAddress'), kubeObject({
  spec: named(net('IPAddressSpec'), struct({
    parentRef: named(net('ParentReference'), struct({ group: str(), resource: str(), namespace: str(), name: str() })),
  })),
}));
