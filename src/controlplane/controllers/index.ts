import type { Registry } from '../../registry/generic.ts';
import { ControllerPass, type ClusterObjects } from './context.ts';
import { syncCronJobs } from './cronjob.ts';
import { syncDaemonSets } from './daemonset.ts';
import { syncDeployments, syncDeploymentStatuses } from './deployment.ts';
import { syncDisruptionBudgets } from './disruption.ts';
import { syncEndpoints } from './endpoints.ts';
import { syncEndpointSlices } from './endpointslices.ts';
import { collectGarbage } from './gc.ts';
import { syncHorizontalPodAutoscalers } from './hpa.ts';
import { syncJobs } from './job.ts';
import { syncPersistentVolumes } from './persistentvolume.ts';
import { syncReplicaSets } from './replicaset.ts';
import { syncStatefulSets } from './statefulset.ts';

export { noObjects, type ClusterObjects } from './context.ts';

/**
 * The controller manager's part of a worker pass, in dependency order: the
 * collector first (so nothing acts on orphans), then owners before what they
 * own — CronJob → Job → pods, Deployment → ReplicaSet → pods (and the
 * Deployment's status from what its ReplicaSets now report) — then DaemonSets and
 * StatefulSets (with the claims of their volumeClaimTemplates); then the PV controller
 * (binding and provisioning, before the scheduler places pods that mount the claims);
 * then what follows pods: the endpoints and EndpointSlices of services, and the disruption budgets' status;
 * last the autoscalers, which read what the pods now use.
 * `objects` is updated in place, so the scheduler and kubelets that
 * run next in the pass already see the pods made here.
 * Creations stop at the cluster's storage budget (the store refuses them; FailedCreate events say so).
 * Returns when a controller next needs to look (a cron tick, minReadySeconds, a back-off).
 */
export async function runControllers(registry: Registry, objects: ClusterObjects): Promise<number | undefined> {
  const pass = new ControllerPass(registry, objects);
  await collectGarbage(pass);
  await syncCronJobs(pass);
  await syncJobs(pass);
  const created = await syncDeployments(pass);
  await syncReplicaSets(pass);
  await syncDeploymentStatuses(pass, created);
  await syncDaemonSets(pass);
  await syncStatefulSets(pass);
  await syncPersistentVolumes(pass);
  await syncEndpoints(pass);
  await syncEndpointSlices(pass);
  await syncDisruptionBudgets(pass);
  await syncHorizontalPodAutoscalers(pass);
  return pass.nextDue;
}
