import { int, kubeObject, list, named, str, struct } from './base.ts';
import { labelSelector } from './common.ts';

/** admissionregistration.k8s.io/v1 webhook configurations (stored; this server calls no webhook). */
const ar = (kind: string) => `io.k8s.api.admissionregistration.v1.${kind}`;

const clientConfig = named(ar('WebhookClientConfig'), struct({
  url: str(),
  service: named(ar('ServiceReference'), struct({ namespace: str(), name: str(), path: str(), port: int() })),
  caBundle: str(),
}));
const rule = named(ar('RuleWithOperations'), struct({ operations: list(str()), apiGroups: list(str()), apiVersions: list(str()), resources: list(str()), scope: str() }));
const matchCondition = named(ar('MatchCondition'), struct({ name: str(), expression: str() }));
const common = {
  name: str(), clientConfig, rules: list(rule), failurePolicy: str(), matchPolicy: str(), namespaceSelector: labelSelector,
  objectSelector: labelSelector, sideEffects: str(), timeoutSeconds: int(), admissionReviewVersions: list(str()),
};

export const mutatingWebhookConfiguration = named(ar('MutatingWebhookConfiguration'), kubeObject({
  webhooks: list(named(ar('MutatingWebhook'), struct({ ...common, reinvocationPolicy: str(), matchConditions: list(matchCondition) }))),
}));
export const validatingWebhookConfiguration = named(ar('ValidatingWebhookConfiguration'), kubeObject({
  webhooks: list(named(ar('ValidatingWebhook'), struct({ ...common, matchConditions: list(matchCondition) }))),
}));

