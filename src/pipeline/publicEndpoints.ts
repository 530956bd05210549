import { createMiddleware } from 'hono/factory';
import { bearerToken } from '../server/authn.ts';
import type { PipelineEnv } from './context.ts';
import { readOnly } from './readOnly.ts';
import { versionInfo } from './version.ts';
import { writeJson } from '../server/wire.ts';

/**
 * Step 2, what anyone may read (system:public-info-viewer): a cluster's health checks,
 * and `/version` when no token is sent. Neither looks up the cluster.
 */
export const publicEndpoints = () => createMiddleware<PipelineEnv>(async (c, next) => {
  const target = c.get('target');
  if (target.kind === 'health') return c.text('ok');
  if (target.kind === 'version' && !bearerToken(c.req.header('authorization'))) {
    readOnly(c.req.method);
    return writeJson(c, versionInfo(), 200, { pretty: true });
  }
  await next();
});
