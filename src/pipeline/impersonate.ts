import { createMiddleware } from 'hono/factory';
import { impersonatedUser } from '../server/impersonation.ts';
import type { PipelineEnv } from './context.ts';

/** Step: impersonation (server/impersonation.ts): `--as` and friends, if the caller may. */
export const impersonate = () => createMiddleware<PipelineEnv>(async (c, next) => {
  const user = await impersonatedUser(c.req.raw.headers, c.get('user'), c.get('access'));
  if (user) {
    c.get('trace')?.add('authentication', `impersonation: ${c.get('user').username} acts as user ${user.username}, groups ${user.groups.join(', ')}`);
    c.set('user', user);
  }
  await next();
});
