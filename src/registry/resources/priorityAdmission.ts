import { ApiError } from '../../apimachinery/errors.ts';
import { admissionForbidden, writes, type AdmissionPlugin } from '../admission.ts';
import type { ClusterObjects } from '../types.ts';
import type { Pod } from './pods.ts';
import { priorityclasses, type PriorityClass } from './scheduling.ts';

/**
 * The Priority admission plugin (plugin/pkg/admission/priority): a new pod's
 * `priorityClassName` becomes its `spec.priority` and `preemptionPolicy`; a pod naming no
 * class gets the globalDefault class (the lowest-valued one, if several claim it), or
 * priority 0 and PreemptLowerPriority. A PriorityClass may claim globalDefault only
 * when no other class does.
 */

/** getDefaultPriorityClass: of the classes marked globalDefault, the one with the lowest value. */
async function defaultClass(objects: ClusterObjects): Promise<PriorityClass | undefined> {
  let found: PriorityClass | undefined;
  for (const pc of (await objects.list(priorityclasses, undefined)).items as PriorityClass[]) {
    if (pc.globalDefault && (!found || (found.value ?? 0) > (pc.value ?? 0))) found = pc;
  }
  return found;
}

async function resolvePod(request: Parameters<AdmissionPlugin['admit']>[0], objects: ClusterObjects): Promise<void> {
  const spec = (request.object as Pod).spec;
  let priority = 0, preemptionPolicy: string | undefined = 'PreemptLowerPriority';
  if (!spec.priorityClassName) {
    const pc = await defaultClass(objects);
    if (pc) {
      spec.priorityClassName = pc.metadata.name;
      priority = pc.value ?? 0;
      preemptionPolicy = pc.preemptionPolicy;
    }
  } else {
    try {
      const pc = await objects.get(priorityclasses, undefined, spec.priorityClassName);
      priority = pc.value ?? 0;
      preemptionPolicy = pc.preemptionPolicy;
    } catch (err) {
      if (err instanceof ApiError && err.reason === 'NotFound') throw admissionForbidden(request, `no PriorityClass with name ${spec.priorityClassName} was found`);
      throw err;
    }
  }
  if (spec.priority !== undefined && spec.priority !== priority) {
    throw admissionForbidden(request, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
  }
  spec.priority = priority;
  if (preemptionPolicy) {
    if (spec.preemptionPolicy && spec.preemptionPolicy !== preemptionPolicy) {
      throw admissionForbidden(request, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${preemptionPolicy} from the given PriorityClass name`);
    }
    spec.preemptionPolicy = preemptionPolicy;
  }
}

export const priorityAdmission: AdmissionPlugin = {
  name: 'Priority',
  phase: 'mutating',
  resources: ['pods'],
  async admit(request, objects) {
    if (writes(request, '', 'pods')) await resolvePod(request, objects);
  },
};

/** The plugin's validating half: one globalDefault class at most. */
export const priorityClassDefault: AdmissionPlugin = {
  name: 'Priority',
  phase: 'validating',
  async admit(request, objects) {
    const pc = request.object as PriorityClass | undefined;
    const classWrite = writes(request, priorityclasses.group, priorityclasses.plural) || writes(request, priorityclasses.group, priorityclasses.plural, 'UPDATE');
    if (!classWrite || !pc?.globalDefault) return;
    const current = await defaultClass(objects);
    if (current && (request.operation === 'CREATE' || current.metadata.name !== pc.metadata.name)) {
      throw admissionForbidden(request, `PriorityClass ${current.metadata.name} is already marked as default. Only one default can exist`);
    }
  },
};
