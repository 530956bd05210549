import { badRequest } from '../apimachinery/errors.ts';
import { forbiddenError } from '../registry/authorizer.ts';
import type { Access, ResourceAttributes, UserInfo } from '../registry/types.ts';
import { authenticatedGroup, serviceAccountGroups, splitServiceAccountUsername } from './authn.ts';

/**
 * Impersonation (k8s.io/apiserver's WithImpersonation). `Impersonate-User`, `-Group`,
 * `-Uid` and `-Extra-<key>` headers (kubectl `--as`, `--as-group`, `--as-uid`) make a
 * request act as another identity, if the caller may `impersonate` each part of it; the
 * first part refused answers 403 as kube-apiserver does.
 */

const userHeader = 'impersonate-user';
const groupHeader = 'impersonate-group';
const uidHeader = 'impersonate-uid';
const extraPrefix = 'impersonate-extra-';

/** One thing to impersonate, and the authorization check it needs. */
type Request = { attrs: ResourceAttributes; apply(user: Draft): void };
interface Draft { username: string; uid?: string; groups: string[]; groupsSpecified: boolean; extra: Record<string, string[]> }

const check = (resource: string, name: string, extra: Partial<ResourceAttributes> = {}): ResourceAttributes => ({
  verb: 'impersonate', group: '', resource, subresource: '', name, namespace: '', ...extra,
});

/** A header sent several times arrives joined by ", " (fetch's Headers), as Go would list its values. */
const values = (raw: string | null) => (raw ? raw.split(', ').filter((v) => v.length > 0) : []);

/** The impersonation requests, in kube-apiserver's order: user, groups, extras, uid. */
function impersonationRequests(headers: Headers): Request[] {
  const requests: Request[] = [];
  const username = headers.get(userHeader) ?? '';
  if (username) {
    const sa = splitServiceAccountUsername(username);
    requests.push(sa
      ? {
        attrs: check('serviceaccounts', sa.name, { namespace: sa.namespace }),
        apply: (u) => { u.username = username; if (!u.groupsSpecified) u.groups = serviceAccountGroups(sa.namespace); },
      }
      : { attrs: check('users', username), apply: (u) => { u.username = username; } });
  }
  for (const group of values(headers.get(groupHeader))) {
    requests.push({ attrs: check('groups', group), apply: (u) => { u.groups.push(group); } });
  }
  const extras: Array<[string, string]> = [];
  headers.forEach((value, name) => {
    if (!name.startsWith(extraPrefix)) return;
    let key: string;
    try {
      key = decodeURIComponent(name.slice(extraPrefix.length));
    } catch {
      throw badRequest(`the impersonation header ${name} has a malformed escape`);
    }
    for (const v of values(value)) extras.push([key, v]);
  });
  for (const [key, value] of extras.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    requests.push({
      attrs: check('userextras', value, { group: 'authentication.k8s.io', subresource: key }),
      apply: (u) => { (u.extra[key] ??= []).push(value); },
    });
  }
  const uid = headers.get(uidHeader) ?? '';
  if (uid) requests.push({ attrs: check('uids', uid, { group: 'authentication.k8s.io' }), apply: (u) => { u.uid = uid; } });
  if (requests.length && !username) {
    throw badRequest('requested impersonation of groups, a uid or extra fields without impersonating a user (Impersonate-User)');
  }
  return requests;
}

/** The identity the request acts as: the impersonated one, or null when it asks for none. */
export async function impersonatedUser(headers: Headers, requestor: UserInfo, access: Access): Promise<UserInfo | null> {
  const requests = impersonationRequests(headers);
  if (!requests.length) return null;
  const groupsSpecified = requests.some((r) => r.attrs.resource === 'groups');
  const draft: Draft = { username: '', groups: [], groupsSpecified, extra: {} };
  for (const request of requests) {
    const decision = await access.authorize(requestor, request.attrs);
    if (!decision.allowed) throw forbiddenError(requestor, request.attrs, decision.reason);
    request.apply(draft);
  }
  const groups = draft.username === 'system:anonymous'
    ? [...draft.groups, 'system:unauthenticated']
    : draft.groups.includes(authenticatedGroup) ? draft.groups : [...draft.groups, authenticatedGroup];
  return {
    username: draft.username, groups, ...(draft.uid ? { uid: draft.uid } : {}),
    ...(Object.keys(draft.extra).length ? { extra: draft.extra } : {}),
  };
}
