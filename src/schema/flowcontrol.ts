import { bool, int, kubeObject, list, named, str, struct } from './base.ts';

/** flowcontrol.apiserver.k8s.io/v1: API Priority and Fairness configuration (fields in Go struct order). */
const fc = (kind: string) => `io.k8s.api.flowcontrol.v1.${kind}`;

const subject = named(fc('Subject'), struct({
  kind: str(),
  user: named(fc('UserSubject'), struct({ name: str() })),
  group: named(fc('GroupSubject'), struct({ name: str() })),
  serviceAccount: named(fc('ServiceAccountSubject'), struct({ namespace: str(), name: str() })),
}));

const condition = (kind: string) => named(fc(kind), struct({ type: str(), status: str(), lastTransitionTime: str(), reason: str(), message: str() }));

export const flowSchema = named(fc('FlowSchema'), kubeObject({
  spec: named(fc('FlowSchemaSpec'), struct({
    priorityLevelConfiguration: named(fc('PriorityLevelConfigurationReference'), struct({ name: str() })),
    matchingPrecedence: int(),
    distinguisherMethod: named(fc('FlowDistinguisherMethod'), struct({ type: str() })),
    rules: list(named(fc('PolicyRulesWithSubjects'), struct({
      subjects: list(subject),
      resourceRules: list(named(fc('ResourcePolicyRule'), struct({ verbs: list(str()), apiGroups: list(str()), resources: list(str()), clusterScope: bool(), namespaces: list(str()) }))),
      nonResourceRules: list(named(fc('NonResourcePolicyRule'), struct({ verbs: list(str()), nonResourceURLs: list(str()) }))),
    }))),
  })),
  status: named(fc('FlowSchemaStatus'), struct({ conditions: list(condition('FlowSchemaCondition')) })),
}));

export const priorityLevelConfiguration = named(fc('PriorityLevelConfiguration'), kubeObject({
  spec: named(fc('PriorityLevelConfigurationSpec'), struct({
    type: str(),
    limited: named(fc('LimitedPriorityLevelConfiguration'), struct({
      nominalConcurrencyShares: int(),
      limitResponse: named(fc('LimitResponse'), struct({
        type: str(),
        queuing: named(fc('QueuingConfiguration'), struct({ queues: int(), handSize: int(), queueLengthLimit: int() })),
      })),
      lendablePercent: int(), borrowingLimitPercent: int(),
    })),
    exempt: named(fc('ExemptPriorityLevelConfiguration'), struct({ nominalConcurrencyShares: int(), lendablePercent: int() })),
  })),
  status: named(fc('PriorityLevelConfigurationStatus'), struct({ conditions: list(condition('PriorityLevelConfigurationCondition')) })),
}));

