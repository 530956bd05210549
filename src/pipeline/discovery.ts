import type { Context } from 'hono';
import type { Catalog } from '../registry/catalog.ts';
import {
  aggregatedDiscovery, aggregatedMediaType, apiGroup, apiGroupList, apiResourceList, apiVersions, wantsAggregated,
} from '../server/discovery.ts';
import { ApiError } from '../apimachinery/errors.ts';
import { encodeJson, prettyPrint, writeJson } from '../server/wire.ts';
import type { PipelineEnv } from './context.ts';

const noSuchPath = () => new ApiError(404, 'NotFound', 'the server could not find the requested resource');

/** `/api`, `/apis`, `/api/<v>`, `/apis/<g>`, `/apis/<g>/<v>`: plain or aggregated discovery, from the catalog. */
export function serveDiscovery(c: Context<PipelineEnv>, catalog: Catalog, path: string[]): Response {
  const url = c.get('url');
  const aggregated = wantsAggregated(c.req.header('accept') ?? null);
  const send = (body: unknown) => {
    if (aggregated && (path.length === 1)) {
      c.header('Content-Type', aggregatedMediaType);
      c.header('Vary', 'Accept');
      return c.body(encodeJson(body, prettyPrint(url, c.req.header('user-agent'))));
    }
    return writeJson(c, body);
  };
  if (path.length === 1 && path[0] === 'api') {
    return send(aggregated ? aggregatedDiscovery(catalog, true) : apiVersions(`${url.hostname}:${url.port || 443}`));
  }
  if (path.length === 1 && path[0] === 'apis') return send(aggregated ? aggregatedDiscovery(catalog, false) : apiGroupList(catalog));
  if (path[0] === 'api' && path.length === 2) {
    const gv = catalog.groupVersions.find((g) => g.group === '' && g.version === path[1]);
    if (!gv) throw noSuchPath();
    return writeJson(c, apiResourceList('', gv.version, gv.resources));
  }
  if (path[0] === 'apis' && path.length === 2) {
    const versions = catalog.groupVersions.filter((g) => g.group === path[1]).map((g) => g.version);
    if (!versions.length) throw noSuchPath();
    return writeJson(c, apiGroup(path[1], versions));
  }
  if (path[0] === 'apis' && path.length === 3) {
    const gv = catalog.groupVersions.find((g) => g.group === path[1] && g.version === path[2]);
    if (!gv) throw noSuchPath();
    return writeJson(c, apiResourceList(gv.group, gv.version, gv.resources));
  }
  throw noSuchPath();
}
