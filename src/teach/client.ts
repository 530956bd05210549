/** What the teaching tools need of a cluster: its API, as the cluster's admin (cli/clusterClient.ts makes one). */
export interface ClusterApi {
  readonly cluster: string;
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; json: unknown }>;
  /** The object at `path`, or undefined when it does not exist (404); other failures throw. */
  get<T>(path: string): Promise<T | undefined>;
}
