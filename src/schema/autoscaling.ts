import { int, kubeObject, list, named, quantity, str, struct, time } from './base.ts';
import { labelSelector } from './common.ts';

/** autoscaling/v1 Scale: the `scale` subresource of Deployments, ReplicaSets, StatefulSets and ReplicationControllers. */
const autoscaling = (kind: string) => `io.k8s.api.autoscaling.v1.${kind}`;
const autoscalingV2 = (kind: string) => `io.k8s.api.autoscaling.v2.${kind}`;

export const scale = named(autoscaling('Scale'), kubeObject({
  spec: named(autoscaling('ScaleSpec'), struct({ replicas: int() })),
  status: named(autoscaling('ScaleStatus'), struct({ replicas: int(), selector: str() })),
}));

const crossVersionObjectReference = (name: (kind: string) => string) =>
  named(name('CrossVersionObjectReference'), struct({ kind: str(), name: str(), apiVersion: str() }));

/** autoscaling/v1 HorizontalPodAutoscaler: CPU utilization only (what v2 keeps beyond it travels in annotations). */
export const horizontalPodAutoscalerV1 = named(autoscaling('HorizontalPodAutoscaler'), kubeObject({
  spec: named(autoscaling('HorizontalPodAutoscalerSpec'), struct({
    scaleTargetRef: crossVersionObjectReference(autoscaling), minReplicas: int(), maxReplicas: int(), targetCPUUtilizationPercentage: int(),
  })),
  status: named(autoscaling('HorizontalPodAutoscalerStatus'), struct({
    observedGeneration: int(), lastScaleTime: time(), currentReplicas: int(), desiredReplicas: int(), currentCPUUtilizationPercentage: int(),
  })),
}));

const metricTarget = named(autoscalingV2('MetricTarget'), struct({ type: str(), value: quantity(), averageValue: quantity(), averageUtilization: int() }));
const metricValueStatus = named(autoscalingV2('MetricValueStatus'), struct({ value: quantity(), averageValue: quantity(), averageUtilization: int() }));
const metricIdentifier = named(autoscalingV2('MetricIdentifier'), struct({ name: str(), selector: labelSelector }));
const reference = crossVersionObjectReference(autoscalingV2);

export const metricSpec = named(autoscalingV2('MetricSpec'), struct({
  type: str(),
  object: named(autoscalingV2('ObjectMetricSource'), struct({ describedObject: reference, target: metricTarget, metric: metricIdentifier })),
  pods: named(autoscalingV2('PodsMetricSource'), struct({ metric: metricIdentifier, target: metricTarget })),
  resource: named(autoscalingV2('ResourceMetricSource'), struct({ name: str(), target: metricTarget })),
  containerResource: named(autoscalingV2('ContainerResourceMetricSource'), struct({ name: str(), target: metricTarget, container: str() })),
  external: named(autoscalingV2('ExternalMetricSource'), struct({ metric: metricIdentifier, target: metricTarget })),
}));

export const metricStatus = named(autoscalingV2('MetricStatus'), struct({
  type: str(),
  object: named(autoscalingV2('ObjectMetricStatus'), struct({ metric: metricIdentifier, current: metricValueStatus, describedObject: reference })),
  pods: named(autoscalingV2('PodsMetricStatus'), struct({ metric: metricIdentifier, current: metricValueStatus })),
  resource: named(autoscalingV2('ResourceMetricStatus'), struct({ name: str(), current: metricValueStatus })),
  containerResource: named(autoscalingV2('ContainerResourceMetricStatus'), struct({ name: str(), current: metricValueStatus, container: str() })),
  external: named(autoscalingV2('ExternalMetricStatus'), struct({ metric: metricIdentifier, current: metricValueStatus })),
}));

const scalingRules = named(autoscalingV2('HPAScalingRules'), struct({
  stabilizationWindowSeconds: int(), selectPolicy: str(), tolerance: quantity(),
  policies: list(named(autoscalingV2('HPAScalingPolicy'), struct({ type: str(), value: int(), periodSeconds: int() }))),
}));

/** autoscaling/v2 HorizontalPodAutoscaler, the version kube-apiserver stores. */
export const horizontalPodAutoscaler = named(autoscalingV2('HorizontalPodAutoscaler'), kubeObject({
  spec: named(autoscalingV2('HorizontalPodAutoscalerSpec'), struct({
    scaleTargetRef: reference, minReplicas: int(), maxReplicas: int(), metrics: list(metricSpec),
    behavior: named(autoscalingV2('HorizontalPodAutoscalerBehavior'), struct({ scaleUp: scalingRules, scaleDown: scalingRules })),
  })),
  status: named(autoscalingV2('HorizontalPodAutoscalerStatus'), struct({
    observedGeneration: int(), lastScaleTime: time(), currentReplicas: int(), desiredReplicas: int(), currentMetrics: list(metricStatus),
    conditions: list(named(autoscalingV2('HorizontalPodAutoscalerCondition'), struct({ type: str(), status: str(), lastTransitionTime: time(), reason: str(), message: str() }))),
  })),
}));
