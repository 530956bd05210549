import { errors } from 'jose';
import type { Clock, Keys, TokenClaims } from '../ports.ts';
import { ApiError, forbidden, unauthorized } from '../apimachinery/errors.ts';
import { timestamp } from '../apimachinery/time.ts';
import type { UserInfo } from '../registry/types.ts';

/** The bearer token of an Authorization header; null when absent or not a plausible token. */
export function bearerToken(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/.exec(header);
  return match && match[1].length <= 8192 ? match[1] : null;
}

/**
 * 401 for a token whose cluster is gone. kubectl prints a canned line for a 401 during
 * discovery ("You must be logged in to the server"), so the reason also travels as a
 * Warning header, which kubectl prints on its own line before it.
 */
export function clusterGone(cluster: string): ApiError {
  return explainedUnauthorized(`cluster "${cluster}" no longer exists (it was deleted or has expired): ask your teacher for a new kubeconfig`);
}

/** The cluster's time is up (its record says so, even where a token's own expiry is a moment later). */
export function clusterExpired(cluster: string, at: string): ApiError {
  return explainedUnauthorized(`the token for cluster "${cluster}" expired at ${at} (the cluster's time is up): ask your teacher for a new kubeconfig`);
}

function explainedUnauthorized(why: string): ApiError {
  return new ApiError(401, 'Unauthorized', `Unauthorized: ${why}`, undefined, { Warning: `299 - ${JSON.stringify(why)}` });
}

/**
 * Bearer-token authentication: verifies the JWT and that it names this cluster.
 * Verified tokens are remembered until they expire (at most a minute): kubectl sends
 * the same token on every request, and an HMAC check per request is a large share of a
 * GET's cost. Whether the cluster (and its uid) still exists is the caller's check.
 */
export function authenticator(keys: Keys, clock: Clock) {
  const verified = new Map<string, { claims: TokenClaims; until: number }>();
  async function verify(token: string): Promise<TokenClaims> {
    const now = clock.now().getTime();
    const hit = verified.get(token);
    if (hit && hit.until > now) return hit.claims;
    const claims = await keys.verify(token);
    if (verified.size >= 1000) verified.delete(verified.keys().next().value!);
    verified.set(token, { claims, until: Math.min(now + 60_000, claims.exp ? claims.exp * 1000 : Infinity) });
    return claims;
  }

  return async function authenticate(authorization: string | null | undefined, cluster: string): Promise<TokenClaims> {
    const token = bearerToken(authorization);
    if (!token) throw unauthorized();
    let claims: TokenClaims;
    try {
      claims = await verify(token);
    } catch (err) {
      // jose checks the signature before the expiry: only a genuine token is told it expired.
      if (err instanceof errors.JWTExpired) {
        const exp = typeof err.payload.exp === 'number' ? timestamp(err.payload.exp * 1000) : 'an earlier time';
        throw clusterExpired(String(err.payload.cluster), exp);
      }
      throw unauthorized();
    }
    if (claims.cluster !== cluster) {
      throw forbidden(`User "${claims.sub}" cannot access cluster "${cluster}": the token was issued for another cluster`);
    }
    return claims;
  };
}

export const authenticatedGroup = 'system:authenticated';

const serviceAccountPrefix = 'system:serviceaccount:';

/** `system:serviceaccount:<namespace>:<name>` (serviceaccount.MakeUsername). */
export const serviceAccountUsername = (namespace: string, name: string) => `${serviceAccountPrefix}${namespace}:${name}`;

/** The groups every service account is in (serviceaccount.MakeGroupNames). */
export const serviceAccountGroups = (namespace: string) => ['system:serviceaccounts', `system:serviceaccounts:${namespace}`];

/** serviceaccount.SplitUsername: the namespace and name of a service account's user name, or null. */
export function splitServiceAccountUsername(username: string): { namespace: string; name: string } | null {
  if (!username.startsWith(serviceAccountPrefix)) return null;
  const parts = username.slice(serviceAccountPrefix.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return null;
  return { namespace: parts[0], name: parts[1] };
}

/** The identity a verified token stands for; every authenticated user is in system:authenticated. */
export function userOf(claims: TokenClaims): UserInfo {
  const sa = claims.serviceAccount;
  if (sa) {
    return {
      username: serviceAccountUsername(sa.namespace, sa.name), uid: sa.uid, groups: [...serviceAccountGroups(sa.namespace), authenticatedGroup],
      ...(claims.jti ? { extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`] } } : {}),
    };
  }
  const groups = claims.groups.includes(authenticatedGroup) ? claims.groups : [...claims.groups, authenticatedGroup];
  return { username: claims.sub, groups };
}
