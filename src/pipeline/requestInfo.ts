import { createMiddleware } from 'hono/factory';
import { ApiError, notFound } from '../apimachinery/errors.ts';
import { parseRequestInfo } from '../server/requestInfo.ts';
import type { PipelineEnv, Target } from './context.ts';

const clusterNameRe = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** `/clusters/<name>/rest` → cluster and rest; a bare path is the cluster `default`. */
export function splitClusterPath(path: string): { cluster: string; rest: string } | null {
  if (!path.startsWith('/clusters/')) return { cluster: 'default', rest: path };
  const after = path.slice('/clusters/'.length);
  const slash = after.indexOf('/');
  const cluster = slash < 0 ? after : after.slice(0, slash);
  if (!clusterNameRe.test(cluster)) return null;
  return { cluster, rest: slash < 0 ? '/' : after.slice(slash) };
}

function targetOf(method: string, rest: string, query: URLSearchParams): Target {
  if (rest === '/healthz' || rest === '/livez' || rest === '/readyz') return { kind: 'health' };
  if (rest === '/version' || rest === '/version/') return { kind: 'version' };
  if (rest.startsWith('/openapi/')) return { kind: 'openapi' };
  try {
    return parseRequestInfo(method, rest, query);
  } catch (err) {
    if (err instanceof ApiError) return { kind: 'malformed', error: err };
    throw err;
  }
}

/**
 * Step 1, request info (kube-apiserver's WithRequestInfo): which cluster, and what the
 * path asks for. A malformed cluster name is a 404; nothing else is refused here.
 */
export const requestInfo = () => createMiddleware<PipelineEnv>(async (c, next) => {
  const url = new URL(c.req.url);
  const split = splitClusterPath(url.pathname);
  if (!split) throw notFound({ group: '', resource: 'clusters' }, url.pathname.split('/')[2] ?? '');
  c.set('url', url);
  c.set('cluster', split.cluster);
  c.set('rest', split.rest);
  c.set('target', targetOf(c.req.method, split.rest, url.searchParams));
  await next();
});
