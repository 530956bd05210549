/** What the teaching tools need of a cluster: its API, as the cluster's admin (cli/clusterClient.ts makes one). */
export interface ClusterApi {
  readonly cluster: string;
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; json: unknown }>;
  /** The object at `path`, or undefined when it does not exist (404); other failures throw. */
  get<T>(path: string): Promise<T | undefined>;
  /**
   * `kubectl exec -n NAMESPACE POD [-c CONTAINER] -- COMMAND`: its output and exit code (-1 with the
   * Status's message when the exec was refused before it started: no such pod, not running).
   */
  exec(namespace: string, pod: string, command: string[], container?: string): Promise<{ stdout: string; stderr: string; code: number; message?: string }>;
}
