import { parse } from 'yaml';
import { call as request } from '../client/https.ts';
import type { ClusterApi } from '../teach/client.ts';
import { expect, type Options } from './adminClient.ts';

/** The cluster's own API, as its admin (`kubernetes-admin`, system:masters): what scenarios and traces use. */
export type ClusterClient = ClusterApi;

interface KubeconfigDoc { users?: Array<{ user?: { token?: string } }> }

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
  const base = `${options.server.replace(/\/$/, '')}/clusters/${encodeURIComponent(name)}`;
  const send = async (method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: unknown }> => {
    const answer = await request(base + path, {
      method, insecure: options.insecure, timeoutMs: 60_000,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': contentType }), 'user-agent': 'apiserverless-cli' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    let json: unknown = {};
    try {
      json = answer.body ? JSON.parse(answer.body) : {};
    } catch {
      throw new Error(`${method} ${path}: the server answered ${answer.status} with something that is not JSON`);
    }
    return { status: answer.status, json };
  };
  return {
    cluster: name,
    request: send,
    async get<T>(path: string): Promise<T | undefined> {
      const { status, json } = await send('GET', path);
      if (status === 404) return undefined;
      if (status >= 400) throw new Error(`GET ${path}: ${String((json as { message?: unknown }).message ?? status)}`);
      return json as T;
    },
  };
}
