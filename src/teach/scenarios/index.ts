import type { Scenario } from '../types.ts';
import { accessScenarios } from './access.ts';
import { controlPlaneScenarios } from './controlPlane.ts';
import { networkingScenarios } from './networking.ts';
import { schedulingScenarios } from './scheduling.ts';
import { storageScenarios } from './storage.ts';
import { workloadScenarios } from './workloads.ts';

/** Every break-and-fix scenario, by CKA troubleshooting area. */
export const scenarios: readonly Scenario[] = [...workloadScenarios, ...schedulingScenarios, ...networkingScenarios, ...storageScenarios, ...accessScenarios, ...controlPlaneScenarios];

export const findScenario = (name: string) => scenarios.find((s) => s.name === name);
