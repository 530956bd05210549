import * as schema from '../../schema/node.ts';
import { isDNS1123Label } from '../../apimachinery/validation.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type KubeObject } from '../types.ts';

/** node.k8s.io/v1 RuntimeClass: which container runtime handler a pod runs with (its `runtimeClassName`). */
type RuntimeClass = KubeObject & { handler?: string };

export const runtimeclasses = defineResource<RuntimeClass>({
  group: 'node.k8s.io', version: 'v1', kind: 'RuntimeClass', plural: 'runtimeclasses', singular: 'runtimeclass',
  namespaced: false, verbs: allVerbs, schema: schema.runtimeClass,
  columns: [nameColumn, { name: 'Handler', type: 'string', description: 'The name of the CRI handler' }, ageColumn],
  row: (rc, { now }) => [rc.metadata.name, rc.handler ?? '', age(rc, now)],
  strategy: {
    // ValidateRuntimeClass and ValidateRuntimeClassUpdate
    validate: (rc) => isDNS1123Label(rc.handler ?? '').map((detail) => ({ field: 'handler', type: 'FieldValueInvalid', value: rc.handler ?? '', detail })),
    validateUpdate: (rc, old) => (rc.handler === old.handler ? [] : [{ field: 'handler', type: 'FieldValueInvalid', value: rc.handler, detail: 'field is immutable' }]),
    allowUnconditionalUpdate: true,
  },
});
