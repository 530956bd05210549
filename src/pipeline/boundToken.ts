import { createMiddleware } from 'hono/factory';
import { unauthorized } from '../apimachinery/errors.ts';
import type { Ports } from '../ports.ts';
import type { Catalog } from '../registry/catalog.ts';
import { Registry } from '../registry/generic.ts';
import { serviceAccountAlive } from '../server/serviceAccountTokens.ts';
import type { PipelineEnv } from './context.ts';

/**
 * Step: the objects a token is bound to still exist. A service account's token is a 401
 * once its account is deleted or re-created (the cluster itself was checked just before).
 */
export function boundToken(catalog: Catalog, ports: Ports) {
  return createMiddleware<PipelineEnv>(async (c, next) => {
    const account = c.get('claims').serviceAccount;
    if (account && !(await serviceAccountAlive(new Registry(catalog, ports, c.get('cluster')), account))) throw unauthorized();
    await next();
  });
}
