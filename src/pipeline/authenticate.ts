import { createMiddleware } from 'hono/factory';
import type { Clock, Keys } from '../ports.ts';
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
    const claims = (tls?.clientCertificate && await fromCertificate(tls.clientCertificate, c.get('cluster'))) || await verify(authorization, c.get('cluster'));
    c.set('claims', claims);
    c.set('user', userOf(claims));
    await next();
  });
}
