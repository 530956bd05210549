import * as schema from '../../schema/coreExtras.ts';
import type { FieldError } from '../../apimachinery/errors.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

/** core/v1 Endpoints: the addresses behind a service (what the endpoints controller writes). */

interface Subset { addresses?: Array<{ ip?: string }>; notReadyAddresses?: Array<{ ip?: string }>; ports?: Array<{ port?: number; protocol?: string }> }
type Endpoints = KubeObject & { subsets?: Subset[] };

/** formatEndpoints: `ip:port` pairs, at most three, then `+ N more...`. */
export function endpointsCell(ep: Endpoints): string {
  const list: string[] = [];
  let count = 0;
  for (const subset of ep.subsets ?? []) {
    const ports = subset.ports?.length ? subset.ports : [undefined];
    for (const port of ports) {
      for (const address of subset.addresses ?? []) {
        count++;
        const host = address.ip?.includes(':') ? `[${address.ip}]` : address.ip;
        if (list.length < 3) list.push(port ? `${host}:${port.port}` : `${address.ip}`);
      }
    }
  }
  if (!ep.subsets?.length) return '<none>';
  return count > 3 ? `${list.join(',')} + ${count - 3} more...` : list.join(',');
}

const ipRe = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const isIP = (ip: string) => (ipRe.test(ip) && ip.split('.').every((p) => Number(p) <= 255)) || (ip.includes(':') && /^[0-9a-fA-F:.]+$/.test(ip));

export const endpoints = defineResource<Endpoints>({
  group: '', version: 'v1', kind: 'Endpoints', listKind: 'EndpointsList', plural: 'endpoints', singular: 'endpoints', namespaced: true,
  shortNames: ['ep'], verbs: allVerbs, schema: schema.endpoints,
  columns: [nameColumn, { name: 'Endpoints', type: 'string', description: 'The set of all endpoints is the union of all subsets.' }, ageColumn],
  row: (obj, { now }) => [obj.metadata.name, endpointsCell(obj), age(obj, now)],
  strategy: {
    defaults(obj) {
      for (const subset of obj.subsets ?? []) for (const p of subset.ports ?? []) p.protocol ??= 'TCP';
    },
    validate(obj) {
      const errs: FieldError[] = [];
      (obj.subsets ?? []).forEach((subset, i) => {
        for (const key of ['addresses', 'notReadyAddresses'] as const) {
          (subset[key] ?? []).forEach((a, j) => {
            if (!a.ip || !isIP(a.ip)) errs.push({ field: `subsets[${i}].${key}[${j}].ip`, type: 'FieldValueInvalid', value: a.ip ?? '', detail: 'must be a valid IP address' });
          });
        }
        (subset.ports ?? []).forEach((p, j) => {
          if (p.port == null || p.port < 1 || p.port > 65535) errs.push({ field: `subsets[${i}].ports[${j}].port`, type: 'FieldValueInvalid', value: p.port ?? 0, detail: 'must be between 1 and 65535, inclusive' });
        });
      });
      return errs;
    },
    allowUnconditionalUpdate: true,
  },
});
