import { bool, int, kubeObject, list, named, str, struct } from './base.ts';

/** apiregistration.k8s.io/v1 APIService: which group-versions the API serves, and who serves them. */
const ar = (kind: string) => `io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.${kind}`;

export const apiService = named(ar('APIService'), kubeObject({
  spec: named(ar('APIServiceSpec'), struct({
    service: named(ar('ServiceReference'), struct({ namespace: str(), name: str(), port: int() })),
    group: str(), version: str(), insecureSkipTLSVerify: bool(), caBundle: str(), groupPriorityMinimum: int(), versionPriority: int(),
  })),
  status: named(ar('APIServiceStatus'), struct({
    conditions: list(named(ar('APIServiceCondition'), struct({ type: str(), status: str(), lastTransitionTime: str(), reason: str(), message: str() }))),
  })),
}));
