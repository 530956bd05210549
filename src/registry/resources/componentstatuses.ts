import * as schema from '../../schema/coreExtras.ts';
import { nameColumn } from '../printing.ts';
import { defineResource, type KubeObject } from '../types.ts';

/**
 * core/v1 ComponentStatus (`kubectl get cs`): deprecated since v1.19 and still served, read-only.
 * The control plane here is this server, so its parts are healthy whenever it answers;
 * tenancy/bootstrapSystem.ts writes scheduler, controller-manager and etcd-0.
 */
type ComponentStatus = KubeObject & { conditions?: Array<{ type?: string; status?: string; message?: string; error?: string }> };

export const componentstatuses = defineResource<ComponentStatus>({
  group: '', version: 'v1', kind: 'ComponentStatus', plural: 'componentstatuses', singular: 'componentstatus', namespaced: false,
  shortNames: ['cs'], verbs: ['get', 'list'], schema: schema.componentStatus,
  warning: 'v1 ComponentStatus is deprecated in v1.19+',
  // printers.go printComponentStatus
  columns: [
    nameColumn,
    { name: 'Status', type: 'string', description: 'Status of the component conditions' },
    { name: 'Message', type: 'string', description: 'Message of the component conditions' },
    { name: 'Error', type: 'string', description: 'Error of the component conditions' },
  ],
  row(cs) {
    const healthy = cs.conditions?.find((c) => c.type === 'Healthy');
    const status = !healthy ? 'Unknown' : healthy.status === 'True' ? 'Healthy' : 'Unhealthy';
    return [cs.metadata.name, status, healthy?.message ?? '', healthy?.error ?? ''];
  },
});
