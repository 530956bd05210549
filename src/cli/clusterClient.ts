import { parse } from 'yaml';
import { execInPod } from '../client/exec.ts';
import { call as request } from '../client/https.ts';
import type { ClusterApi } from '../teach/client.ts';
import { expect, type Options } from './adminClient.ts';

/** The cluster's own API, as its admin (`kubernetes-admin`, system:masters): what scenarios, traces and grading use. */
export type ClusterClient = ClusterApi;

interface KubeconfigDoc {
  clusters?: Array<{ name?: string; cluster?: { server?: string; 'insecure-skip-tls-verify'?: boolean } }>;
  users?: Array<{ user?: { token?: string } }>;
}

/**
 * A client of cluster `name`'s API with its admin token, which the admin API hands out
 * (`GET /clusters/<name>?kubeconfig=true`): the teacher's token opens the cluster the way its
 * own kubeconfig does, and every write passes the ordinary request path (RBAC, admission, audit
 * of managedFields) as a `kubectl` of the cluster's admin would.
 */
export async function clusterClient(options: Options, name: string): Promise<ClusterClient> {
  const got = await expect(options, 'GET', `clusters/${encodeURIComponent(name)}?kubeconfig=true`);
  const token = (parse(String(got.kubeconfig)) as KubeconfigDoc).users?.[0]?.user?.token;
  if (!token) throw new Error(`the admin API gave no token for cluster "${name}"`);
  return tokenClient(`${options.server.replace(/\/$/, '')}/clusters/${encodeURIComponent(name)}`, name, token, options.insecure);
}

/**
 * A client from a kubeconfig file's text, as `kubectl --kubeconfig` would use it: its first
 * cluster's server and its first user's bearer token (what `cluster create` writes). The
 * cluster's name is the last segment of the server's `/clusters/<name>` path, else the
 * kubeconfig's cluster name.
 */
export function kubeconfigClient(text: string, where: string): ClusterClient {
  const doc = parse(text) as KubeconfigDoc | null;
  const entry = doc?.clusters?.[0];
  const server = entry?.cluster?.server, token = doc?.users?.[0]?.user?.token;
  if (!server || !token) throw new Error(`${where}: a kubeconfig with a server and a bearer token is needed (as apiserverless cluster create writes them)`);
  const name = /\/clusters\/([^/]+)\/?$/.exec(new URL(server).pathname)?.[1] ?? entry?.name ?? 'default';
  return tokenClient(server.replace(/\/$/, ''), decodeURIComponent(name), token, entry?.cluster?.['insecure-skip-tls-verify'] === true);
}

/** Requests to one cluster's API root with a bearer token. */
function tokenClient(base: string, cluster: string, token: string, insecure: boolean): ClusterClient {
  const once = (method: string, path: string, body: unknown, contentType: string) => request(base + path, {
    method, insecure, timeoutMs: 60_000,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': contentType }), 'user-agent': 'apiserverless-cli' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const send = async (method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: unknown }> => {
    let answer: Awaited<ReturnType<typeof once>>;
    for (let attempt = 1; ; attempt++) {
      try {
        answer = await once(method, path, body, contentType);
        break;
      } catch (err) {
        // A kept-alive connection the server closed as it was reused (a reset before any answer): a read is sent again.
        if (method !== 'GET' || attempt >= 3) throw err;
      }
    }
    let json: unknown = {};
    try {
      json = answer.body ? JSON.parse(answer.body) : {};
    } catch {
      throw new Error(`${method} ${path}: the server answered ${answer.status} with something that is not JSON`);
    }
    return { status: answer.status, json };
  };
  return {
    cluster,
    request: send,
    async get<T>(path: string): Promise<T | undefined> {
      const { status, json } = await send('GET', path);
      if (status === 404) return undefined;
      if (status >= 400) throw new Error(`GET ${path}: ${String((json as { message?: unknown }).message ?? status)}`);
      return json as T;
    },
    exec(namespace, pod, command, container) {
      const query = new URLSearchParams([...command.map((c) => ['command', c]), ['stdout', 'true'], ['stderr', 'true'], ...(container ? [['container', container]] : [])]);
      return execInPod(`${base}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/exec?${query}`, { token, insecure, timeoutMs: 30_000 });
    },
  };
}
