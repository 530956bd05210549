import * as schema from '../../schema/csi.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

/**
 * storage.k8s.io/v1's CSI kinds. Nothing here attaches or mounts a volume: they are stored and
 * listed so that clients built on informers (kube-scheduler waits for CSINode, CSIDriver,
 * CSIStorageCapacity and VolumeAttachment caches) and `kubectl get` see what a cluster has.
 * Columns as kube-apiserver's printers.go.
 */

type CSIDriver = KubeObject & { spec?: { attachRequired?: boolean; podInfoOnMount?: boolean; storageCapacity?: boolean; tokenRequests?: Array<{ audience?: string }>; requiresRepublish?: boolean; volumeLifecycleModes?: string[]; fsGroupPolicy?: string } };
type CSINode = KubeObject & { spec?: { drivers?: unknown[] | null } };
type CSIStorageCapacity = KubeObject & { storageClassName?: string; capacity?: string | number };
type VolumeAttachment = KubeObject & { spec?: { attacher?: string; source?: { persistentVolumeName?: string }; nodeName?: string }; status?: { attached?: boolean } };

const storage = { group: 'storage.k8s.io', version: 'v1', verbs: allVerbs };

export const csidrivers = defineResource<CSIDriver>({
  ...storage, kind: 'CSIDriver', plural: 'csidrivers', singular: 'csidriver', namespaced: false, schema: schema.csiDriver,
  columns: [
    nameColumn,
    { name: 'AttachRequired', type: 'boolean', description: 'attachRequired indicates this CSI volume driver requires an attach operation (because it implements the CSI ControllerPublishVolume() method), and that the Kubernetes attach detach controller should call the attach volume interface which checks the volumeattachment status and waits until the volume is attached before proceeding to mounting.' },
    { name: 'PodInfoOnMount', type: 'boolean', description: 'podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations, if set to true.' },
    { name: 'StorageCapacity', type: 'boolean', description: 'storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report by creating CSIStorageCapacity objects with capacity information, if set to true.' },
    { name: 'TokenRequests', type: 'string', description: 'tokenRequests indicates the CSI driver needs pods\' service account tokens it is mounting volume for to do necessary authentication.' },
    { name: 'RequiresRepublish', type: 'boolean', description: 'requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume.' },
    { name: 'Modes', type: 'string', description: 'volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.' },
    ageColumn,
  ],
  row(d, { now }) {
    const spec = d.spec ?? {};
    const tokens = spec.tokenRequests?.length ? spec.tokenRequests.map((t) => t.audience ?? '').join(',') : '<unset>';
    const modes = spec.volumeLifecycleModes?.length ? spec.volumeLifecycleModes.join(',') : '<none>';
    return [d.metadata.name, spec.attachRequired ?? true, spec.podInfoOnMount ?? false, spec.storageCapacity ?? false, tokens, spec.requiresRepublish ?? false, modes, age(d, now)];
  },
  strategy: {
    // SetDefaults_CSIDriver
    defaults(d) {
      const spec = (d.spec ??= {});
      spec.attachRequired ??= true;
      spec.podInfoOnMount ??= false;
      spec.storageCapacity ??= false;
      spec.fsGroupPolicy ??= 'ReadWriteOnceWithFSType';
      spec.requiresRepublish ??= false;
      if (!spec.volumeLifecycleModes?.length) spec.volumeLifecycleModes = ['Persistent'];
    },
    allowUnconditionalUpdate: true,
  },
});

export const csinodes = defineResource<CSINode>({
  ...storage, kind: 'CSINode', plural: 'csinodes', singular: 'csinode', namespaced: false, schema: schema.csiNode,
  columns: [nameColumn, { name: 'Drivers', type: 'integer', description: 'Drivers indicates the number of CSI drivers registered on the node' }, ageColumn],
  row: (n, { now }) => [n.metadata.name, n.spec?.drivers?.length ?? 0, age(n, now)],
  strategy: { allowUnconditionalUpdate: true },
});

export const csistoragecapacities = defineResource<CSIStorageCapacity>({
  ...storage, kind: 'CSIStorageCapacity', plural: 'csistoragecapacities', singular: 'csistoragecapacity', namespaced: true, schema: schema.csiStorageCapacity,
  columns: [
    nameColumn,
    { name: 'StorageClassName', type: 'string', description: 'storageClassName represents the name of the StorageClass that the reported capacity applies to.' },
    { name: 'Capacity', type: 'string', description: 'capacity is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest with topology and parameters that match the previous fields.' },
    ageColumn,
  ],
  row: (c, { now }) => [c.metadata.name, c.storageClassName ?? '', c.capacity === undefined ? '<unset>' : String(c.capacity), age(c, now)],
  strategy: { allowUnconditionalUpdate: true },
});

export const volumeattachments = defineResource<VolumeAttachment>({
  ...storage, kind: 'VolumeAttachment', plural: 'volumeattachments', singular: 'volumeattachment', namespaced: false, schema: schema.volumeAttachment,
  subresources: ['status'],
  columns: [
    nameColumn,
    { name: 'Attacher', type: 'string', description: 'attacher indicates the name of the volume driver that MUST handle this request.' },
    { name: 'PV', type: 'string', description: 'persistentVolumeName represents the name of the persistent volume to attach.' },
    { name: 'Node', type: 'string', description: 'nodeName represents the node that the volume should be attached to.' },
    { name: 'Attached', type: 'boolean', description: 'attached indicates the volume is successfully attached.' },
    ageColumn,
  ],
  row: (a, { now }) => [a.metadata.name, a.spec?.attacher ?? '', a.spec?.source?.persistentVolumeName ?? '', a.spec?.nodeName ?? '', a.status?.attached ?? false, age(a, now)],
  strategy: { allowUnconditionalUpdate: true },
});
