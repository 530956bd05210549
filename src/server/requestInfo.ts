import { badRequest } from '../apimachinery/errors.ts';
import { queryBool } from '../apimachinery/queryParams.ts';

/**
 * Request info (k8s.io/apiserver/pkg/endpoints/request.RequestInfoFactory):
 * what a URL and method mean, before anyone looks at the body.
 */
export type RequestVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceRequest {
  kind: 'resource';
  verb: RequestVerb;
  group: string;
  version: string;
  resource: string;
  /** The namespace segment of the path; for `/api/v1/namespaces/<name>` that is the namespace's own name. */
  namespace?: string;
  /**
   * The resource was addressed below `/namespaces/<namespace>/` (`.../namespaces/ns/pods`),
   * not as the namespaces collection itself: a cluster-scoped resource is never served there.
   */
  underNamespace: boolean;
  name?: string;
  subresource?: string;
}

export type RequestInfo =
  | ResourceRequest
  | { kind: 'discovery'; path: string[] }
  | { kind: 'other'; path: string };

const namespaceSubresources = new Set(['status', 'finalize']);

/** A malformed escape (`%ff`, `%ZZ`) is the client's mistake: 400, as Go's URL parser answers. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`invalid URL escape in path segment "${segment}"`);
  }
}

export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const parts = path.split('/').filter((p) => p.length > 0).map(decodeSegment);
  let rest: string[];
  let group = '';
  let version: string;
  if (parts[0] === 'api') {
    if (parts.length <= 2) return { kind: 'discovery', path: parts };
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length <= 3) return { kind: 'discovery', path: parts };
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return { kind: 'other', path };
  }
  let namespace: string | undefined;
  let underNamespace = false;
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    underNamespace = rest.length > 2 && !namespaceSubresources.has(rest[2]);
    if (underNamespace) rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  if (extra.length && subresource !== 'proxy') return { kind: 'other', path };
  let verb: RequestVerb;
  switch (method) {
    // As RequestInfoFactory: only a collection GET turns into a watch (`?watch=True` too); a
    // named GET stays a get, whatever its query says (kubectl watches one object by fieldSelector).
    case 'GET': case 'HEAD': verb = name ? 'get' : queryBool(query.get('watch') ?? undefined) ? 'watch' : 'list'; break;
    case 'POST': verb = 'create'; break;
    case 'PUT': verb = 'update'; break;
    case 'PATCH': verb = 'patch'; break;
    case 'DELETE': verb = name ? 'delete' : 'deletecollection'; break;
    default: return { kind: 'other', path };
  }
  return { kind: 'resource', verb, group, version, resource, namespace, underNamespace, name, subresource };
}
