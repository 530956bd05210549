import * as v from 'valibot';
import { int, intOrString, kubeObject, list, named, str, struct, time } from './base.ts';
import { labelSelector, metaCondition } from './common.ts';

/** policy/v1 wire types. */
const policy = (kind: string) => `io.k8s.api.policy.v1.${kind}`;

export const podDisruptionBudget = named(policy('PodDisruptionBudget'), kubeObject({
  spec: named(policy('PodDisruptionBudgetSpec'), struct({
    minAvailable: intOrString(), selector: labelSelector, maxUnavailable: intOrString(), unhealthyPodEvictionPolicy: str(),
  })),
  status: named(policy('PodDisruptionBudgetStatus'), struct({
    observedGeneration: int(), disruptedPods: v.record(v.string(), time()), disruptionsAllowed: int(), currentHealthy: int(),
    desiredHealthy: int(), expectedPods: int(), conditions: list(metaCondition),
  })),
}));
