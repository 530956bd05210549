import * as v from 'valibot';
import { bool, kubeObject, list, named, str, struct } from './base.ts';
import { labelSelectorRequirement } from './common.ts';

/** authorization.k8s.io/v1: the self-review kinds `kubectl auth can-i` creates. */
const authz = (kind: string) => `io.k8s.api.authorization.v1.${kind}`;

const resourceAttributes = named(authz('ResourceAttributes'), struct({
  namespace: str(), verb: str(), group: str(), version: str(), resource: str(), subresource: str(), name: str(),
  fieldSelector: named(authz('FieldSelectorAttributes'), struct({
    rawSelector: str(),
    requirements: list(named('io.k8s.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement', struct({ key: str(), operator: str(), values: list(str()) }))),
  })),
  labelSelector: named(authz('LabelSelectorAttributes'), struct({ rawSelector: str(), requirements: list(labelSelectorRequirement) })),
}));
const nonResourceAttributes = named(authz('NonResourceAttributes'), struct({ path: str(), verb: str() }));

export const selfSubjectAccessReview = named(authz('SelfSubjectAccessReview'), kubeObject({
  spec: named(authz('SelfSubjectAccessReviewSpec'), struct({ resourceAttributes, nonResourceAttributes })),
  status: named(authz('SubjectAccessReviewStatus'), struct({ allowed: bool(), denied: bool(), reason: str(), evaluationError: str() })),
}));

export const selfSubjectRulesReview = named(authz('SelfSubjectRulesReview'), kubeObject({
  spec: named(authz('SelfSubjectRulesReviewSpec'), struct({ namespace: str() })),
  status: named(authz('SubjectRulesReviewStatus'), struct({
    resourceRules: list(named(authz('ResourceRule'), struct({ verbs: list(str()), apiGroups: list(str()), resources: list(str()), resourceNames: list(str()) }))),
    nonResourceRules: list(named(authz('NonResourceRule'), struct({ verbs: list(str()), nonResourceURLs: list(str()) }))),
    incomplete: bool(), evaluationError: str(),
  })),
}));

const subjectAccessReviewSpec = named(authz('SubjectAccessReviewSpec'), struct({
  resourceAttributes, nonResourceAttributes, user: str(), groups: list(str()), extra: v.record(v.string(), list(str())), uid: str(),
}));
const subjectAccessReviewStatus = named(authz('SubjectAccessReviewStatus'), struct({ allowed: bool(), denied: bool(), reason: str(), evaluationError: str() }));

/** What a server asks about anyone's access (`SubjectAccessReview`) or within one namespace (`LocalSubjectAccessReview`). */
export const subjectAccessReview = named(authz('SubjectAccessReview'), kubeObject({ spec: subjectAccessReviewSpec, status: subjectAccessReviewStatus }));
export const localSubjectAccessReview = named(authz('LocalSubjectAccessReview'), kubeObject({ spec: subjectAccessReviewSpec, status: subjectAccessReviewStatus }));
