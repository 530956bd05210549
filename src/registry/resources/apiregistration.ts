import * as schema from '../../schema/apiregistration.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

/**
 * apiregistration.k8s.io/v1 APIService. Every group-version this server serves has one, served
 * `Local`ly and Available, as kube-apiserver's autoregistration controller keeps them
 * (tenancy/bootstrapSystem.ts writes them); an APIService naming a Service is stored but nothing
 * proxies to it (README, Known differences).
 */
type APIService = KubeObject & {
  spec?: { service?: { namespace?: string; name?: string } | null; group?: string; version?: string };
  status?: { conditions?: Array<{ type?: string; status?: string; reason?: string }> };
};

export const apiservices = defineResource<APIService>({
  group: 'apiregistration.k8s.io', version: 'v1', kind: 'APIService', plural: 'apiservices', singular: 'apiservice', namespaced: false,
  // `v1.` names the core group: a path segment, not a DNS subdomain
  nameRule: 'path-segment', verbs: allVerbs, categories: ['api-extensions'], subresources: ['status'], schema: schema.apiService,
  // kube-aggregator's table convertor
  columns: [
    nameColumn,
    { name: 'Service', type: 'string', description: 'The reference to the service that hosts this API endpoint.' },
    { name: 'Available', type: 'string', description: 'Whether this service is available.' },
    ageColumn,
  ],
  row(s, { now }) {
    const service = s.spec?.service ? `${s.spec.service.namespace ?? ''}/${s.spec.service.name ?? ''}` : 'Local';
    const available = s.status?.conditions?.find((c) => c.type === 'Available');
    const cell = !available ? 'Unknown' : available.status === 'True' ? 'True' : `${available.status} (${available.reason ?? ''})`;
    return [s.metadata.name, service, cell, age(s, now)];
  },
  strategy: {
    // ValidateAPIService: the name *must* be version.group
    validate: (s) => (s.metadata.name === `${s.spec?.version ?? ''}.${s.spec?.group ?? ''}` ? []
      : [{ field: 'metadata.name', type: 'FieldValueInvalid', value: s.metadata.name, detail: 'must be `spec.version+"."+spec.group`' }]),
    allowUnconditionalUpdate: true,
  },
});
