import * as schema from '../../schema/authorization.ts';
import type { FieldError } from '../../apimachinery/errors.ts';
import { authorize, rulesFor, type Attributes } from '../authorizer.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { defineResource, type HookContext, type KubeObject, type UserInfo } from '../types.ts';

/**
 * authorization.k8s.io/v1 self reviews: questions about the caller's own access,
 * answered at create time and never stored (`kubectl auth can-i`).
 */

interface ResourceAttrs { namespace?: string; verb?: string; group?: string; resource?: string; subresource?: string; name?: string }
interface NonResourceAttrs { path?: string; verb?: string }
type AccessReview = KubeObject & { spec?: { resourceAttributes?: ResourceAttrs; nonResourceAttributes?: NonResourceAttrs } };
type RulesReview = KubeObject & { spec?: { namespace?: string } };

/** A review made without a user (a worker) asks as nobody: no groups, no rules. */
const caller = (ctx: HookContext): UserInfo => ctx.user ?? { username: '', groups: [] };

function attributesOf(review: AccessReview): Attributes {
  const r = review.spec?.resourceAttributes;
  if (r) return { verb: r.verb ?? '', group: r.group ?? '', resource: r.resource ?? '', subresource: r.subresource ?? '', name: r.name ?? '', namespace: r.namespace ?? '' };
  const n = review.spec?.nonResourceAttributes ?? {};
  return { verb: n.verb ?? '', path: n.path ?? '' };
}

/** ValidateSelfSubjectAccessReviewSpec: exactly one kind of attributes. */
function validateAccessReview(obj: AccessReview): FieldError[] {
  const spec = obj.spec ?? {};
  if (spec.resourceAttributes && spec.nonResourceAttributes) {
    return [{ field: 'spec.nonResourceAttributes', type: 'FieldValueInvalid', value: spec.nonResourceAttributes, detail: 'cannot be specified in combination with resourceAttributes' }];
  }
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    return [{ field: 'spec.resourceAttributes', type: 'FieldValueInvalid', value: 'null', detail: 'exactly one of nonResourceAttributes or resourceAttributes must be specified' }];
  }
  return [];
}

const reviewColumns = [nameColumn, ageColumn];
const reviewRow = (obj: KubeObject, { now }: HookContext) => [obj.metadata.name ?? '', age(obj, now)];

export const selfsubjectaccessreviews = defineResource<AccessReview>({
  group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', singular: 'selfsubjectaccessreview',
  namespaced: false, verbs: ['create'], schema: schema.selfSubjectAccessReview,
  columns: reviewColumns, row: reviewRow,
  strategy: {
    validate: validateAccessReview,
    async virtualCreate(review, ctx, registry) {
      const { allowed, reason } = await authorize(registry, caller(ctx), attributesOf(review));
      return { ...review, status: { allowed, ...(reason ? { reason } : {}) } };
    },
  },
});

export const selfsubjectrulesreviews = defineResource<RulesReview>({
  group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview', plural: 'selfsubjectrulesreviews', singular: 'selfsubjectrulesreview',
  namespaced: false, verbs: ['create'], schema: schema.selfSubjectRulesReview,
  columns: reviewColumns, row: reviewRow,
  strategy: {
    async virtualCreate(review, ctx, registry) {
      const rules = await rulesFor(registry, caller(ctx), review.spec?.namespace ?? '');
      const resourceRules = rules.filter((r) => !r.nonResourceURLs?.length).map(({ verbs, apiGroups, resources, resourceNames }) => ({
        verbs: verbs ?? [], ...(apiGroups ? { apiGroups } : {}), ...(resources ? { resources } : {}), ...(resourceNames ? { resourceNames } : {}),
      }));
      const nonResourceRules = rules.filter((r) => r.nonResourceURLs?.length).map(({ verbs, nonResourceURLs }) => ({ verbs: verbs ?? [], nonResourceURLs }));
      return { ...review, status: { resourceRules, nonResourceRules, incomplete: false } };
    },
  },
});
