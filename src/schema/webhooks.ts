import { int, kubeObject, list, named, str, struct } from './base.ts';
import { labelSelector, metaCondition } from './common.ts';

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


/** admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy and its binding (registry/resources/admissionPolicies.ts runs them). */
const namedRule = named(ar('NamedRuleWithOperations'), struct({ resourceNames: list(str()), operations: list(str()), apiGroups: list(str()), apiVersions: list(str()), resources: list(str()), scope: str() }));
const matchResources = named(ar('MatchResources'), struct({
  namespaceSelector: labelSelector, objectSelector: labelSelector, resourceRules: list(namedRule), excludeResourceRules: list(namedRule), matchPolicy: str(),
}));

export const validatingAdmissionPolicy = named(ar('ValidatingAdmissionPolicy'), kubeObject({
  spec: named(ar('ValidatingAdmissionPolicySpec'), struct({
    paramKind: named(ar('ParamKind'), struct({ apiVersion: str(), kind: str() })),
    matchConstraints: matchResources,
    validations: list(named(ar('Validation'), struct({ expression: str(), message: str(), reason: str(), messageExpression: str() }))),
    failurePolicy: str(),
    auditAnnotations: list(named(ar('AuditAnnotation'), struct({ key: str(), valueExpression: str() }))),
    matchConditions: list(matchCondition),
    variables: list(named(ar('Variable'), struct({ name: str(), expression: str() }))),
  })),
  status: named(ar('ValidatingAdmissionPolicyStatus'), struct({
    observedGeneration: int(),
    typeChecking: named(ar('TypeChecking'), struct({ expressionWarnings: list(named(ar('ExpressionWarning'), struct({ fieldRef: str(), warning: str() }))) })),
    conditions: list(metaCondition),
  })),
}));

export const validatingAdmissionPolicyBinding = named(ar('ValidatingAdmissionPolicyBinding'), kubeObject({
  spec: named(ar('ValidatingAdmissionPolicyBindingSpec'), struct({
    policyName: str(),
    paramRef: named(ar('ParamRef'), struct({ name: str(), namespace: str(), selector: labelSelector, parameterNotFoundAction: str() })),
    matchResources,
    validationActions: list(str()),
  })),
}));
