import { createMiddleware } from 'hono/factory';
import type { Clock, Keys } from '../ports.ts';
import { authenticator, userOf } from '../server/authn.ts';
import type { PipelineEnv } from './context.ts';

/**
 * Step 3, authentication: a bearer JWT naming this cluster (401 or 403 Status otherwise).
 * It comes before anything else, so a request without a valid token touches no state.
 */
export function authenticate(keys: Keys, clock: Clock) {
  const verify = authenticator(keys, clock);
  return createMiddleware<PipelineEnv>(async (c, next) => {
    const claims = await verify(c.req.header('authorization'), c.get('cluster'));
    c.set('claims', claims);
    c.set('user', userOf(claims));
    await next();
  });
}
