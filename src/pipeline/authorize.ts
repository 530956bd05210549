import { createMiddleware } from 'hono/factory';
import type { Ports } from '../ports.ts';
import { authenticator, userOf } from '../server/authn.ts';
import { serviceAccountAlive } from '../server/serviceAccountTokens.ts';
import { forbiddenError, privilegedGroup } from '../registry/authorizer.ts';
import type { Catalog } from '../registry/catalog.ts';
import { Registry } from '../registry/generic.ts';
import type { PolicyCache } from '../registry/policyCache.ts';
import type { Attributes } from '../registry/types.ts';
import type { PipelineEnv, Target } from './context.ts';
import { connectSubresources } from './seats.ts';

/**
 * The cluster's authorizer for this request: its RBAC policy, compiled once and cached
 * per cluster incarnation (registry/policyCache.ts). Impersonation and authorization ask it;
 * so do access reviews, through the registry.
 */
export function clusterAccess(policies: PolicyCache, catalog: Catalog, ports: Ports) {
  const verify = authenticator(ports.keys, ports.clock);
  return createMiddleware<PipelineEnv>(async (c, next) => {
    const cluster = c.get('cluster'), uid = c.get('record').uid;
    const objects = () => new Registry(catalog, ports, cluster);
    // A TokenReview's token passes the checks this request's own token passed: signature and
    // expiry, this cluster, this incarnation of it, and a service account that still exists.
    const reviewToken = async (token: string) => {
      try {
        const claims = await verify(`Bearer ${token}`, cluster);
        if (claims.clusterUid !== undefined && claims.clusterUid !== uid) return null;
        if (claims.serviceAccount && !(await serviceAccountAlive(objects(), claims.serviceAccount))) return null;
        return userOf(claims);
      } catch {
        return null;
      }
    };
    c.set('access', { ...policies.access(cluster, uid, objects), reviewToken });
    await next();
  });
}

/** What the request asks to do, as kube-apiserver's authorizer.Attributes (RequestInfo → attributes). */
export function requestAttributes(target: Target, method: string, path: string): Attributes | null {
  switch (target.kind) {
    case 'resource':
      return {
        verb: target.verb, group: target.group, resource: target.resource, subresource: target.subresource ?? '',
        name: target.name ?? '', namespace: target.namespace ?? '',
      };
    // Refused as a bad request by the route, whoever asks.
    case 'malformed':
      return null;
    default:
      return { verb: method.toLowerCase(), path };
  }
}

/**
 * Step: authorization (RBAC, with system:masters allowed everything first). A refusal is
 * kube-apiserver's 403, worded as it words it.
 */
export const authorize = () => createMiddleware<PipelineEnv>(async (c, next) => {
  const user = c.get('user');
  const trace = c.get('trace'), since = trace?.now();
  if (user.groups.includes(privilegedGroup)) trace?.add('authorization', `allowed: group ${privilegedGroup} is allowed everything, before RBAC is asked`, { since });
  else {
    const attrs = requestAttributes(c.get('target'), c.req.method, c.get('rest'));
    if (attrs) {
      const decision = await c.get('access').authorize(user, attrs);
      if (!decision.allowed) {
        const refusal = forbiddenError(user, attrs, decision.reason);
        trace?.add('authorization', `refused: no RBAC rule allows it (${refusal.message})`, { since, refused: true });
        throw refusal;
      }
      trace?.add('authorization', `allowed: ${decision.reason}`, { since });
      // AuthorizePodWebsocketUpgradeCreatePermission (on by default since 1.35): a WebSocket's GET to
      // exec, attach or portforward must also be allowed to `create` it, as the SPDY POST is.
      if ('resource' in attrs && attrs.verb === 'get' && connectSubresources.has(attrs.subresource)) {
        const create = { ...attrs, verb: 'create' };
        const second = await c.get('access').authorize(user, create);
        if (!second.allowed) throw forbiddenError(user, create, second.reason);
      }
    }
  }
  await next();
});
