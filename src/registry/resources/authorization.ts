import * as schema from '../../schema/authorization.ts';
import type { FieldError } from '../../apimachinery/errors.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { defineResource, type Attributes, type Decision, type HookContext, type KubeObject, type UserInfo } from '../types.ts';

/**
 * authorization.k8s.io/v1 access reviews: questions about the caller's own access
 * (`kubectl auth can-i`, `--list`) or anyone's, answered by the cluster's authorizer at
 * create time and never stored.
 */

interface ResourceAttrs { namespace?: string; verb?: string; group?: string; resource?: string; subresource?: string; name?: string }
interface NonResourceAttrs { path?: string; verb?: string }
interface ReviewSpec { resourceAttributes?: ResourceAttrs; nonResourceAttributes?: NonResourceAttrs; user?: string; groups?: string[]; uid?: string; extra?: Record<string, string[]> }
type AccessReview = KubeObject & { spec?: ReviewSpec };
type RulesReview = KubeObject & { spec?: { namespace?: string } };

/** A review made without a request's authorizer (a worker) asks as nobody: no groups, no rules. */
const nobody: UserInfo = { username: '', groups: [] };
const caller = (ctx: HookContext): UserInfo => ctx.user ?? nobody;

async function decide(ctx: HookContext, user: UserInfo, attrs: Attributes): Promise<Decision> {
  return ctx.access ? ctx.access.authorize(user, attrs) : { allowed: false, reason: '' };
}

function attributesOf(review: AccessReview): Attributes {
  const r = review.spec?.resourceAttributes;
  if (r) return { verb: r.verb ?? '', group: r.group ?? '', resource: r.resource ?? '', subresource: r.subresource ?? '', name: r.name ?? '', namespace: r.namespace ?? '' };
  const n = review.spec?.nonResourceAttributes ?? {};
  return { verb: n.verb ?? '', path: n.path ?? '' };
}

/** ValidateSelfSubjectAccessReviewSpec (and the SubjectAccessReviewSpec part it shares): exactly one kind of attributes. */
function validateAttributes(obj: AccessReview): FieldError[] {
  const spec = obj.spec ?? {};
  if (spec.resourceAttributes && spec.nonResourceAttributes) {
    return [{ field: 'spec.nonResourceAttributes', type: 'FieldValueInvalid', value: spec.nonResourceAttributes, detail: 'cannot be specified in combination with resourceAttributes' }];
  }
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    return [{ field: 'spec.resourceAttributes', type: 'FieldValueInvalid', value: 'null', detail: 'exactly one of nonResourceAttributes or resourceAttributes must be specified' }];
  }
  return [];
}

/** ValidateSubjectAccessReviewSpec: whose access is asked about must be said. */
function validateSubject(obj: AccessReview): FieldError[] {
  const spec = obj.spec ?? {};
  const errs = validateAttributes(obj);
  if (!spec.user && !spec.groups?.length) errs.push({ field: 'spec.user', type: 'FieldValueInvalid', value: spec.user ?? '', detail: 'at least one of user or group must be specified' });
  return errs;
}

/** ValidateLocalSubjectAccessReview: one namespace, resources only. */
function validateLocal(obj: AccessReview): FieldError[] {
  const spec = obj.spec ?? {};
  const errs = validateSubject(obj);
  if (spec.resourceAttributes && (spec.resourceAttributes.namespace ?? '') !== (obj.metadata.namespace ?? '')) {
    errs.push({ field: 'spec.resourceAttributes.namespace', type: 'FieldValueInvalid', value: spec.resourceAttributes.namespace ?? '', detail: 'must match metadata.namespace' });
  }
  if (spec.nonResourceAttributes) errs.push({ field: 'spec.nonResourceAttributes', type: 'FieldValueInvalid', value: spec.nonResourceAttributes, detail: 'disallowed on this kind of request' });
  return errs;
}

/** The user a SubjectAccessReview names. */
const subjectOf = (review: AccessReview): UserInfo => ({
  username: review.spec?.user ?? '', groups: review.spec?.groups ?? [],
  ...(review.spec?.uid ? { uid: review.spec.uid } : {}), ...(review.spec?.extra ? { extra: review.spec.extra } : {}),
});

const reviewColumns = [nameColumn, ageColumn];
const reviewRow = (obj: KubeObject, { now }: HookContext) => [obj.metadata.name ?? '', age(obj, now)];

/** An access review's answer: allowed, and why, as the authorizer says. */
async function answer(review: AccessReview, ctx: HookContext, user: UserInfo): Promise<KubeObject> {
  const { allowed, reason } = await decide(ctx, user, attributesOf(review));
  return { ...review, status: { allowed, ...(reason ? { reason } : {}) } };
}

const reviewDef = { group: 'authorization.k8s.io', version: 'v1', verbs: ['create' as const], columns: reviewColumns, row: reviewRow };

export const selfsubjectaccessreviews = defineResource<AccessReview>({
  ...reviewDef, kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', singular: 'selfsubjectaccessreview',
  namespaced: false, schema: schema.selfSubjectAccessReview,
  strategy: { validate: validateAttributes, virtualCreate: (review, ctx) => answer(review, ctx, caller(ctx)) },
});

export const subjectaccessreviews = defineResource<AccessReview>({
  ...reviewDef, kind: 'SubjectAccessReview', plural: 'subjectaccessreviews', singular: 'subjectaccessreview',
  namespaced: false, schema: schema.subjectAccessReview,
  strategy: { validate: validateSubject, virtualCreate: (review, ctx) => answer(review, ctx, subjectOf(review)) },
});

export const localsubjectaccessreviews = defineResource<AccessReview>({
  ...reviewDef, kind: 'LocalSubjectAccessReview', plural: 'localsubjectaccessreviews', singular: 'localsubjectaccessreview',
  namespaced: true, schema: schema.localSubjectAccessReview,
  strategy: { validate: validateLocal, virtualCreate: (review, ctx) => answer(review, ctx, subjectOf(review)) },
});

export const selfsubjectrulesreviews = defineResource<RulesReview>({
  ...reviewDef, kind: 'SelfSubjectRulesReview', plural: 'selfsubjectrulesreviews', singular: 'selfsubjectrulesreview',
  namespaced: false, schema: schema.selfSubjectRulesReview,
  strategy: {
    async virtualCreate(review, ctx) {
      const rules = ctx.access ? await ctx.access.rulesFor(caller(ctx), review.spec?.namespace ?? '') : [];
      const resourceRules = rules.filter((r) => !r.nonResourceURLs?.length).map(({ verbs, apiGroups, resources, resourceNames }) => ({
        verbs: verbs ?? [], ...(apiGroups ? { apiGroups } : {}), ...(resources ? { resources } : {}), ...(resourceNames ? { resourceNames } : {}),
      }));
      const nonResourceRules = rules.filter((r) => r.nonResourceURLs?.length).map(({ verbs, nonResourceURLs }) => ({ verbs: verbs ?? [], nonResourceURLs }));
      return { ...review, status: { resourceRules, nonResourceRules, incomplete: false } };
    },
  },
});
