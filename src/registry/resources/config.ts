import * as schema from '../../schema/core.ts';
import { tooLong } from '../../apimachinery/validation.ts';
import { utf8Length, utf8ToBase64 } from '../../apimachinery/utf8.ts';
import type { FieldError } from '../../apimachinery/errors.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

/** ConfigMaps, Secrets and ServiceAccounts: the configuration kinds. */
type Data = KubeObject & { data?: Record<string, string>; binaryData?: Record<string, string>; stringData?: Record<string, string>; type?: string; secrets?: unknown[] };

/** `^[-._a-zA-Z0-9]+$`, one pass. */
function isConfigKeyText(key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95;
    if (!ok) return false;
  }
  return true;
}

/** validation.IsConfigMapKey, one message per broken rule, under `data[key]` (or binaryData). */
function configKeyErrors(key: string): string[] {
  const errs: string[] = [];
  if (utf8Length(key) > 253) errs.push('must be no more than 253 characters');
  if (!key.length || !isConfigKeyText(key)) {
    errs.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  }
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

function validateKeys(obj: Data, fields: Array<'data' | 'binaryData' | 'stringData'>): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of fields) {
    for (const key of Object.keys(obj[f] ?? {})) {
      for (const detail of configKeyErrors(key)) errs.push({ field: `${f}[${key}]`, type: 'FieldValueInvalid', value: key, detail });
    }
  }
  return errs;
}

/** core.MaxSecretSize: the most a Secret's or a ConfigMap's data may hold, in bytes. */
export const maxDataBytes = 1024 * 1024;

const base64Re = /^[A-Za-z0-9+/]*={0,2}$/;
const isBase64 = (v: unknown): v is string => typeof v === 'string' && v.length % 4 === 0 && base64Re.test(v);
/** The length of what a (valid) base64 string decodes to, without decoding it. */
const decodedLength = (v: string) => (v.length / 4) * 3 - (v.endsWith('==') ? 2 : v.endsWith('=') ? 1 : 0);

/**
 * ValidateConfigMap: keys, and data plus binaryData at most 1 MiB, reported on the whole object (field `[]`).
 * A string's length is a floor on its UTF-8 size (every UTF-16 unit is at least a byte), so data over
 * the limit by length is not scanned: a value received in pieces (entry/longStrings.ts) stays unjoined.
 */
function validateConfigMap(cm: Data): FieldError[] {
  const errs = validateKeys(cm, ['data', 'binaryData']);
  const values = Object.values(cm.data ?? {}).filter((v): v is string => typeof v === 'string');
  let total = values.reduce((n, v) => n + v.length, 0);
  if (total <= maxDataBytes) {
    total = values.reduce((n, v) => n + utf8Length(v), 0);
    for (const v of Object.values(cm.binaryData ?? {})) total += isBase64(v) ? decodedLength(v) : 0;
  }
  if (total > maxDataBytes) errs.push(tooLong('[]', maxDataBytes));
  return errs;
}

export const configmaps = defineResource<Data>({
  group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', namespaced: true,
  shortNames: ['cm'], verbs: allVerbs, schema: schema.configMap,
  columns: [nameColumn, { name: 'Data', type: 'string', description: "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process." }, ageColumn],
  row: (obj, { now }) => [obj.metadata.name, Object.keys(obj.data ?? {}).length + Object.keys(obj.binaryData ?? {}).length, age(obj, now)],
  strategy: { validate: validateConfigMap, allowUnconditionalUpdate: true },
});

export const secrets = defineResource<Data>({
  group: '', version: 'v1', kind: 'Secret', plural: 'secrets', singular: 'secret', namespaced: true,
  verbs: allVerbs, schema: schema.secret,
  columns: [nameColumn, { name: 'Type', type: 'string', description: 'Used to facilitate programmatic handling of secret data.' }, { name: 'Data', type: 'integer', description: 'Number of data entries' }, ageColumn],
  row: (obj, { now }) => [obj.metadata.name, obj.type ?? 'Opaque', Object.keys(obj.data ?? {}).length, age(obj, now)],
  fieldSelectors: { type: (o) => o.type ?? 'Opaque' },
  strategy: {
    defaults(secret) {
      secret.type ||= 'Opaque';
      // stringData is write-only: merged into data as base64, never stored
      if (secret.stringData) {
        secret.data = { ...(secret.data ?? {}) };
        for (const [k, v] of Object.entries(secret.stringData)) secret.data[k] = utf8ToBase64(String(v));
        delete secret.stringData;
      }
    },
    validate(secret) {
      const errs = validateKeys(secret, ['data']);
      let total = 0;
      for (const [k, v] of Object.entries(secret.data ?? {})) {
        if (!isBase64(v)) errs.push({ field: `data[${k}]`, type: 'FieldValueInvalid', value: '<secret contents redacted>', detail: 'illegal base64 data' });
        else total += decodedLength(v);
      }
      // ValidateSecret: the decoded data (stringData merged in) at most 1 MiB
      if (total > maxDataBytes) errs.push(tooLong('data', maxDataBytes));
      return errs;
    },
    allowUnconditionalUpdate: true,
  },
});

export const serviceaccounts = defineResource<Data>({
  group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', singular: 'serviceaccount', namespaced: true,
  shortNames: ['sa'], verbs: allVerbs, subresources: ['token'], schema: schema.serviceAccount,
  columns: [nameColumn, { name: 'Secrets', type: 'string', description: 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.' }, ageColumn],
  row: (obj, { now }) => [obj.metadata.name, obj.secrets?.length ?? 0, age(obj, now)],
  strategy: { allowUnconditionalUpdate: true },
});
