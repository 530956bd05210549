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
