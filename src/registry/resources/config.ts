import * as schema from '../../schema/core.ts';
import type { FieldError } from '../../server/errors.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

/** ConfigMaps, Secrets and ServiceAccounts: the configuration kinds. */
type Data = KubeObject & { data?: Record<string, string>; binaryData?: Record<string, string>; stringData?: Record<string, string>; type?: string; secrets?: unknown[] };

const keyRe = /^[-._a-zA-Z0-9]+$/;
function validateKeys(obj: Data, fields: Array<'data' | 'binaryData' | 'stringData'>): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of fields) {
    for (const key of Object.keys(obj[f] ?? {})) {
      if (!keyRe.test(key) || key.length > 253) errs.push({ field: `${f}[${key}]`, type: 'FieldValueInvalid', value: key, detail: "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')" });
    }
  }
  return errs;
}

const base64Re = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8ToBase64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));

export const configmaps = defineResource({
  group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', namespaced: true,
  shortNames: ['cm'], verbs: allVerbs, schema: schema.configMap,
  columns: [nameColumn, { name: 'Data', type: 'integer', description: 'Number of data entries' }, ageColumn],
  row: (obj, { now }) => [obj.metadata.name, Object.keys((obj as Data).data ?? {}).length + Object.keys((obj as Data).binaryData ?? {}).length, age(obj, now)],
  strategy: { validate: (obj) => validateKeys(obj as Data, ['data', 'binaryData']), allowUnconditionalUpdate: true },
});

export const secrets = defineResource({
  group: '', version: 'v1', kind: 'Secret', plural: 'secrets', singular: 'secret', namespaced: true,
  verbs: allVerbs, schema: schema.secret,
  columns: [nameColumn, { name: 'Type', type: 'string', description: 'Used to facilitate programmatic handling of secret data.' }, { name: 'Data', type: 'integer', description: 'Number of data entries' }, ageColumn],
  row: (obj, { now }) => [obj.metadata.name, (obj as Data).type ?? 'Opaque', Object.keys((obj as Data).data ?? {}).length, age(obj, now)],
  fieldSelectors: { type: (o) => (o as Data).type ?? 'Opaque' },
  strategy: {
    defaults(obj) {
      const secret = obj as Data;
      secret.type ||= 'Opaque';
      // stringData is write-only: merged into data as base64, never stored
      if (secret.stringData) {
        secret.data = { ...(secret.data ?? {}) };
        for (const [k, v] of Object.entries(secret.stringData)) secret.data[k] = utf8ToBase64(String(v));
        delete secret.stringData;
      }
    },
    validate(obj) {
      const secret = obj as Data;
      const errs = validateKeys(secret, ['data']);
      for (const [k, v] of Object.entries(secret.data ?? {})) {
        if (typeof v !== 'string' || v.length % 4 !== 0 || !base64Re.test(v)) errs.push({ field: `data[${k}]`, type: 'FieldValueInvalid', value: '<secret contents redacted>', detail: 'illegal base64 data' });
      }
      return errs;
    },
    allowUnconditionalUpdate: true,
  },
});

export const serviceaccounts = defineResource({
  group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', singular: 'serviceaccount', namespaced: true,
  shortNames: ['sa'], verbs: allVerbs, subresources: [], schema: schema.serviceAccount,
  columns: [nameColumn, { name: 'Secrets', type: 'string', description: 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.' }, ageColumn],
  row: (obj, { now }) => [obj.metadata.name, (obj as Data).secrets?.length ?? 0, age(obj, now)],
  strategy: { allowUnconditionalUpdate: true },
});
