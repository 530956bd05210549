import { parse } from 'yaml';
import { insecureRequest } from '../../src/client/https.ts';

/** What a test needs of an entry to talk to its cluster's API directly. */
export interface ApiEntry {
  token(): Promise<string>;
  kubeconfig(): Promise<string>;
}

export interface ApiClient {
  /** The cluster's API root, as its kubeconfig names it. */
  server: string;
  token: string;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
}

/** Requests to the cluster's API from the test process: waits through the API, not through kubectl processes. */
export async function apiClient(entry: ApiEntry): Promise<ApiClient> {
  const config = parse(await entry.kubeconfig()) as { clusters: Array<{ cluster: { server: string } }> };
  const server = config.clusters[0].cluster.server;
  const token = await entry.token();
  const send = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    const answer = await insecureRequest(method, `${server}${path}`, headers, body === undefined ? undefined : JSON.stringify(body));
    if (answer.status >= 300) throw new Error(`${method} ${path} answered ${answer.status}: ${answer.body}`);
    return JSON.parse(answer.body) as T;
  };
  return { server, token, get: (path) => send('GET', path), post: (path, body) => send('POST', path, body) };
}

/** The cluster's revision now: a list's resourceVersion (every store write moves it by one). */
export async function clusterRevision(api: ApiClient): Promise<number> {
  return Number((await api.get<{ metadata: { resourceVersion: string } }>('/api/v1/namespaces?limit=1')).metadata.resourceVersion);
}
