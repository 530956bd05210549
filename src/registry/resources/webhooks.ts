import * as schema from '../../schema/webhooks.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type Column, type KubeObject } from '../types.ts';

/**
 * admissionregistration.k8s.io/v1 Mutating- and ValidatingWebhookConfiguration: stored and served
 * as kube-apiserver does, but never called (README, Known differences): no request here leaves
 * the server for a webhook.
 */
type WebhookConfiguration = KubeObject & { webhooks?: unknown[] };

const webhookColumns: Column[] = [nameColumn, { name: 'Webhooks', type: 'integer', description: 'Webhooks indicates the number of webhooks included in this configuration' }, ageColumn];
const common = {
  group: 'admissionregistration.k8s.io', version: 'v1', namespaced: false, verbs: allVerbs, categories: ['api-extensions'],
  columns: webhookColumns, row: (w: WebhookConfiguration, { now }: { now: Date }) => [w.metadata.name, w.webhooks?.length ?? 0, age(w, now)],
  strategy: { tracksGeneration: true, allowUnconditionalUpdate: true },
};

export const mutatingwebhookconfigurations = defineResource<WebhookConfiguration>({
  ...common, kind: 'MutatingWebhookConfiguration', plural: 'mutatingwebhookconfigurations', singular: 'mutatingwebhookconfiguration', schema: schema.mutatingWebhookConfiguration,
});
export const validatingwebhookconfigurations = defineResource<WebhookConfiguration>({
  ...common, kind: 'ValidatingWebhookConfiguration', plural: 'validatingwebhookconfigurations', singular: 'validatingwebhookconfiguration', schema: schema.validatingWebhookConfiguration,
});
