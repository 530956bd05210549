import * as jose from 'jose';
import type { Keys, TokenClaims } from '../ports.ts';

export const tokenIssuer = 'apiserverless';
export const tokenAudience = 'apiserverless';
/** What a service account token names as its audience by default (kube-apiserver's --api-audiences). */
export const kubernetesAudience = 'https://kubernetes.default.svc.cluster.local';
/** Audiences this server accepts: its own, and the one its service account tokens carry. */
const accepted = [tokenAudience, kubernetesAudience];

/** The `kubernetes.io` claim of a service account token, as kube-apiserver writes it. */
interface KubernetesClaim { namespace?: unknown; serviceaccount?: { name?: unknown; uid?: unknown } }

function serviceAccountOf(payload: jose.JWTPayload): TokenClaims['serviceAccount'] {
  const claim = payload['kubernetes.io'] as KubernetesClaim | undefined;
  if (claim === undefined) return undefined;
  const { namespace } = claim;
  const name = claim.serviceaccount?.name;
  const uid = claim.serviceaccount?.uid;
  if (typeof namespace !== 'string' || typeof name !== 'string' || typeof uid !== 'string' || !namespace || !name || !uid) {
    throw new Error('token has a malformed kubernetes.io claim');
  }
  return { namespace, name, uid };
}

/**
 * Our own tokens must name the cluster's uid (`cluster_uid`), so none outlives its cluster;
 * an external issuer's may leave it out (it cannot know the uid), and then only the name binds.
 */
function claimsOf(payload: jose.JWTPayload, requireUid: boolean): TokenClaims {
  const groups = Array.isArray(payload.groups) ? payload.groups.filter((g): g is string => typeof g === 'string') : [];
  if (typeof payload.sub !== 'string' || !payload.sub) throw new Error('token has no subject');
  if (typeof payload.cluster !== 'string' || !payload.cluster) throw new Error('token names no cluster');
  const uid = payload.cluster_uid;
  if (uid !== undefined && (typeof uid !== 'string' || !uid)) throw new Error('token has a malformed cluster_uid');
  if (requireUid && uid === undefined) throw new Error('token names no cluster uid');
  const serviceAccount = serviceAccountOf(payload);
  return {
    sub: payload.sub, groups, cluster: payload.cluster, clusterUid: uid, exp: payload.exp,
    ...(serviceAccount ? { serviceAccount } : {}), ...(typeof payload.jti === 'string' ? { jti: payload.jti } : {}),
  };
}

/** HS256 with a shared secret: the default for a single deployment. */
export function hmacKeys(secret: string): Keys {
  if (secret.length < 32) throw new Error('the JWT secret must be at least 32 characters');
  // Imported once: jose would otherwise import the raw bytes as a CryptoKey on every sign and verify.
  const key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  return {
    async sign(claims) {
      const sa = claims.serviceAccount;
      let jwt = new jose.SignJWT({
        groups: claims.groups, cluster: claims.cluster, ...(claims.clusterUid ? { cluster_uid: claims.clusterUid } : {}),
        ...(sa ? { 'kubernetes.io': { namespace: sa.namespace, serviceaccount: { name: sa.name, uid: sa.uid } } } : {}),
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(claims.sub).setIssuer(tokenIssuer).setAudience(claims.audiences ?? tokenAudience).setIssuedAt();
      if (claims.exp) jwt = jwt.setExpirationTime(claims.exp);
      if (claims.jti) jwt = jwt.setJti(claims.jti);
      return jwt.sign(await key);
    },
    async verify(token) {
      const { payload } = await jose.jwtVerify(token, await key, { algorithms: ['HS256'], issuer: tokenIssuer, audience: accepted });
      return claimsOf(payload, true);
    },
  };
}

/**
 * Asymmetric tokens checked against a JWKS (a JSON document or a URL): for
 * deployments whose tokens come from an external issuer. Such Keys cannot sign.
 */
export function jwksKeys(source: { jwks: jose.JSONWebKeySet } | { url: string }, options: { issuer?: string; audience?: string } = {}): Keys {
  const keySet = 'jwks' in source ? jose.createLocalJWKSet(source.jwks) : jose.createRemoteJWKSet(new URL(source.url));
  return {
    async sign() {
      throw new Error('this deployment verifies tokens from a JWKS and cannot issue its own');
    },
    async verify(token) {
      const { payload } = await jose.jwtVerify(token, keySet, {
        algorithms: ['RS256', 'ES256', 'EdDSA', 'PS256'],
        issuer: options.issuer ?? tokenIssuer, audience: options.audience ?? tokenAudience,
      });
      return claimsOf(payload, false);
    },
  };
}

/**
 * The deployment's keys from its environment: it signs (the kubeconfigs it
 * issues) with the HS256 secret, and verifies those plus, when JWKS_URL or
 * JWKS (a JSON key set) is set, tokens from that external issuer
 * (JWT_ISSUER / JWT_AUDIENCE, default apiserverless).
 */
export function keysFromEnv(secret: string, env: Record<string, string | undefined>): Keys {
  const own = hmacKeys(secret);
  const source = env.JWKS_URL ? { url: env.JWKS_URL } : env.JWKS ? { jwks: JSON.parse(env.JWKS) as jose.JSONWebKeySet } : undefined;
  if (!source) return own;
  const external = jwksKeys(source, { issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE });
  return {
    sign: (claims) => own.sign(claims),
    async verify(token) {
      // The header says which: our own tokens are HS256, an external issuer's asymmetric.
      return jose.decodeProtectedHeader(token).alg === 'HS256' ? own.verify(token) : external.verify(token);
    },
  };
}
