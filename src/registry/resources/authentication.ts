import * as schema from '../../schema/authentication.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { defineResource, type KubeObject } from '../types.ts';

/**
 * authentication.k8s.io/v1 SelfSubjectReview: who the server takes the caller for
 * (`kubectl auth whoami`), after authentication and impersonation. Never stored.
 */
export const selfsubjectreviews = defineResource<KubeObject>({
  group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', singular: 'selfsubjectreview',
  namespaced: false, verbs: ['create'], schema: schema.selfSubjectReview,
  columns: [nameColumn, ageColumn], row: (obj, { now }) => [obj.metadata.name ?? '', age(obj, now)],
  strategy: {
    async virtualCreate(review, ctx) {
      const user = ctx.user ?? { username: '', groups: [] };
      const userInfo = {
        username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups,
        ...(user.extra && Object.keys(user.extra).length ? { extra: user.extra } : {}),
      };
      return { ...review, status: { userInfo } };
    },
  },
});

/** kubeadm's --api-audiences: what a TokenReview that names none is checked against and answers. */
const apiAudiences = ['https://kubernetes.default.svc.cluster.local'];

/**
 * authentication.k8s.io/v1 TokenReview: whether a token is valid on this cluster and whose it
 * is, as the webhook token authenticators of other servers ask (and `kubectl create -f` a
 * review). The cluster's own authentication answers (`Access.reviewToken`). Never stored.
 */
export const tokenreviews = defineResource<KubeObject & { spec?: { token?: string; audiences?: string[] } }>({
  group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview', plural: 'tokenreviews', singular: 'tokenreview',
  namespaced: false, verbs: ['create'], schema: schema.tokenReview,
  columns: [nameColumn, ageColumn], row: (obj, { now }) => [obj.metadata.name ?? '', age(obj, now)],
  strategy: {
    validate: (review) => (review.spec?.token ? [] : [{ field: 'spec.token', type: 'FieldValueRequired', detail: '' }]),
    async virtualCreate(review, ctx) {
      const user = await ctx.access?.reviewToken?.(review.spec?.token ?? '') ?? null;
      if (!user) return { ...review, status: { user: {}, error: '[invalid bearer token, service account token has been invalidated]' } };
      const userInfo = {
        username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups,
        ...(user.extra && Object.keys(user.extra).length ? { extra: user.extra } : {}),
      };
      return { ...review, status: { authenticated: true, user: userInfo, audiences: review.spec?.audiences?.length ? review.spec.audiences : apiAudiences } };
    },
  },
});
