import * as v from 'valibot';
import { int, kubeObject, list, named, str, struct, time } from './base.ts';

/** authentication.k8s.io/v1: who the caller is (`kubectl auth whoami`) and tokens for service accounts (`kubectl create token`). */
const authn = (kind: string) => `io.k8s.api.authentication.v1.${kind}`;

export const userInfo = named(authn('UserInfo'), struct({ username: str(), uid: str(), groups: list(str()), extra: v.record(v.string(), list(str())) }));

export const selfSubjectReview = named(authn('SelfSubjectReview'), kubeObject({
  status: named(authn('SelfSubjectReviewStatus'), struct({ userInfo })),
}));

export const tokenRequest = named(authn('TokenRequest'), kubeObject({
  spec: named(authn('TokenRequestSpec'), struct({
    audiences: list(str()), expirationSeconds: int(),
    boundObjectRef: named(authn('BoundObjectReference'), struct({ kind: str(), apiVersion: str(), name: str(), uid: str() })),
  })),
  status: named(authn('TokenRequestStatus'), struct({ token: str(), expirationTimestamp: time() })),
}));

export const tokenReview = named(authn('TokenReview'), kubeObject({
  spec: named(authn('TokenReviewSpec'), struct({ token: str(), audiences: list(str()) })),
  status: named(authn('TokenReviewStatus'), struct({ authenticated: v.boolean(), user: userInfo, audiences: list(str()), error: str() })),
}));
