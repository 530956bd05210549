import { createMiddleware } from 'hono/factory';
import type { Clock, Keys, TokenClaims } from '../ports.ts';
import { authenticator, bearerToken, userOf } from '../server/authn.ts';
import { certificateAuthenticator, clientCertificatesNotAccepted } from '../server/clientCertificates.ts';
import type { Store } from '../storage/store.ts';
import type { PipelineEnv } from './context.ts';

/**
 * Step 3, authentication: a client certificate from the cluster's CA (where the entry asked
 * for one), else a bearer JWT naming this cluster (401 or 403 Status otherwise), in kube's
 * union order (x509 first). It comes before anything else, so a request without a valid
 * token or certificate touches no state.
 */
export function authenticate(keys: Keys, clock: Clock, store: Store) {
  const verify = authenticator(keys, clock);
  const fromCertificate = certificateAuthenticator(store, clock);
  return createMiddleware<PipelineEnv>(async (c, next) => {
    const tls = c.env?.tls, authorization = c.req.header('authorization');
    if (!tls && !bearerToken(authorization)) throw clientCertificatesNotAccepted();
    const since = c.get('trace')?.now();
    const certificate = tls?.clientCertificate && await fromCertificate(tls.clientCertificate, c.get('cluster'));
    const claims = certificate || await verify(authorization, c.get('cluster'));
    c.set('claims', claims);
    const user = userOf(claims);
    c.set('user', user);
    c.get('trace')?.add('authentication', `${credentialKind(claims, !!certificate)}: user ${user.username}, groups ${user.groups.join(', ')}`, { since });
    await next();
  });
}

/** What kind of credential proved who the caller is, as a trace names it. */
function credentialKind(claims: TokenClaims, certificate: boolean): string {
  if (certificate) return "x509 client certificate signed by the cluster's CA (CN → user, O → groups)";
  if (claims.serviceAccount) return `service account token (TokenRequest) of ${claims.serviceAccount.namespace}/${claims.serviceAccount.name}, bound to its uid`;
  return `bearer token (JWT) for cluster "${claims.cluster}"${claims.clusterUid ? ' bound to its uid' : ''}${claims.exp ? `, expires ${new Date(claims.exp * 1000).toISOString()}` : ''}`;
}
