import type { AdmissionPlugin } from '../admission.ts';
import type { ResourceDef } from '../types.ts';
import { controllerrevisions, daemonsets, deployments, replicasets, statefulsets } from './apps.ts';
import { apiservices } from './apiregistration.ts';
import { selfsubjectreviews, tokenreviews } from './authentication.ts';
import { localsubjectaccessreviews, selfsubjectaccessreviews, selfsubjectrulesreviews, subjectaccessreviews } from './authorization.ts';
import { horizontalpodautoscalers, horizontalpodautoscalersV1 } from './autoscaling.ts';
import { cronjobs, jobs } from './batch.ts';
import { bindings } from './bindings.ts';
import { certificateApprovalAndSigning, certificateRequestSignature, certificatesigningrequests, certificateSubjectRestriction } from './certificates.ts';
import { componentstatuses } from './componentstatuses.ts';
import { configmaps, secrets, serviceaccounts } from './config.ts';
import { customresourcedefinitions } from './customresourcedefinitions.ts';
import { leases } from './coordination.ts';
import { csidrivers, csinodes, csistoragecapacities, volumeattachments } from './csi.ts';
import { endpointslices } from './discovery.ts';
import { endpoints } from './endpoints.ts';
import { events } from './events.ts';
import { eventsV1 } from './eventsV1.ts';
import { flowschemas, prioritylevelconfigurations } from './flowcontrol.ts';
import { nodemetrics, podmetrics } from './metrics.ts';
import { namespaceLifecycle, namespaces } from './namespaces.ts';
import { ingressclasses, ingresses, networkpolicies } from './networking.ts';
import { nodes } from './nodes.ts';
import { pods } from './pods.ts';
import { podtemplates } from './podtemplates.ts';
import { poddisruptionbudgets } from './policy.ts';
import { limitranges, resourcequotas } from './quotas.ts';
import { clusterrolebindings, clusterroles, rolebindings, roles } from './rbac.ts';
import { rbacEscalation } from './rbacEscalation.ts';
import { replicationcontrollers } from './replicationcontrollers.ts';
import { runtimeclasses } from './runtimeclasses.ts';
import { priorityclasses } from './scheduling.ts';
import { limitRangerDefaults, limitRangerValidation } from './limitRanger.ts';
import { podSecurity } from './podSecurity.ts';
import { priorityAdmission, priorityClassDefault } from './priorityAdmission.ts';
import { resourceQuotaAdmission } from './quotaAdmission.ts';
import { serviceAccountAdmission } from './serviceAccountAdmission.ts';
import { services } from './services.ts';
import { deviceclasses, resourceclaims, resourceclaimtemplates, resourceslices } from './dynamicResources.ts';
import { ipaddresses, servicecidrs } from './serviceCIDRs.ts';
import { volumeattributesclasses } from './volumeAttributesClasses.ts';
import { defaultStorageClass, storageObjectInUseProtection } from './storageAdmission.ts';
import { storageclasses } from './storageclasses.ts';
import { persistentvolumeclaims, persistentvolumes } from './volumes.ts';
import { mutatingwebhookconfigurations, validatingwebhookconfigurations } from './webhooks.ts';
import { validatingAdmissionPolicy, validatingadmissionpolicies, validatingadmissionpolicybindings } from './admissionPolicies.ts';

/** Every resource this server serves; discovery, handlers and tables come from this list. */
export const resources: ResourceDef[] = [
  pods, nodes, namespaces, configmaps, secrets, serviceaccounts, services, events,
  endpoints, limitranges, persistentvolumeclaims, persistentvolumes, replicationcontrollers, resourcequotas,
  bindings, componentstatuses, podtemplates,
  // API groups in the order kube-apiserver lists them under /apis; resources alphabetical within a group
  apiservices,
  controllerrevisions, daemonsets, deployments, replicasets, statefulsets,
  eventsV1,
  selfsubjectreviews, tokenreviews,
  localsubjectaccessreviews, selfsubjectaccessreviews, selfsubjectrulesreviews, subjectaccessreviews,
  horizontalpodautoscalers, horizontalpodautoscalersV1, // v2 first: the preferred version
  cronjobs, jobs,
  certificatesigningrequests,
  ingressclasses, ingresses, ipaddresses, networkpolicies, servicecidrs,
  poddisruptionbudgets,
  clusterrolebindings, clusterroles, rolebindings, roles,
  csidrivers, csinodes, csistoragecapacities, storageclasses, volumeattachments, volumeattributesclasses,
  mutatingwebhookconfigurations, validatingwebhookconfigurations, validatingadmissionpolicies, validatingadmissionpolicybindings,
  customresourcedefinitions,
  priorityclasses,
  leases,
  runtimeclasses,
  endpointslices,
  flowschemas, prioritylevelconfigurations,
  deviceclasses, resourceclaims, resourceclaimtemplates, resourceslices,
  // aggregated APIs come after kube-apiserver's own groups (the lowest group priority: metrics-server's 100)
  nodemetrics, podmetrics,
];

/**
 * The admission chain, in kube-apiserver's order (its --enable-admission-plugins defaults:
 * NamespaceLifecycle, LimitRanger, ServiceAccount, PodSecurity, Priority, DefaultStorageClass, StorageObjectInUseProtection, ...,
 * CertificateApproval, CertificateSigning, CertificateSubjectRestriction, ..., ResourceQuota).
 * Mutating plugins run first whatever their place here; then validating ones, in this order.
 * RBAC escalation prevention is the RBAC storage's own check in kube-apiserver; it sits here.
 */
export const admissionPlugins: AdmissionPlugin[] = [
  namespaceLifecycle,
  limitRangerDefaults, limitRangerValidation,
  serviceAccountAdmission,
  podSecurity,
  priorityAdmission, priorityClassDefault,
  defaultStorageClass, storageObjectInUseProtection,
  rbacEscalation,
  certificateRequestSignature, certificateApprovalAndSigning, certificateSubjectRestriction,
  validatingAdmissionPolicy,
  resourceQuotaAdmission,
];
