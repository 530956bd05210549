import * as schema from '../../schema/core.ts';
import { nameColumn } from '../printing.ts';
import { defineResource, type KubeObject } from '../types.ts';
import { bindingSucceeded, bindPod } from './podBinding.ts';
import { pods } from './pods.ts';

/**
 * The top-level core/v1 `bindings` (create only): a Binding names its pod in metadata.name and
 * binds it as pods/<name>/binding does (the same BindingREST in kube-apiserver), answering a
 * Success Status.
 */
type Binding = KubeObject & { target?: { kind?: string; name?: string } };

export const bindings = defineResource<Binding>({
  group: '', version: 'v1', kind: 'Binding', plural: 'bindings', singular: 'binding', namespaced: true,
  verbs: ['create'], schema: schema.binding,
  columns: [nameColumn],
  row: (b) => [b.metadata.name],
  strategy: {
    async virtualCreate(binding, _ctx, objects) {
      await bindPod(objects, pods, binding.metadata.namespace!, binding.metadata.name ?? '', binding);
      return bindingSucceeded() as KubeObject;
    },
  },
});
