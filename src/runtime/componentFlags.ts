/**
 * How the control-plane components read their command lines, so a broken static pod manifest
 * breaks them as it would: kube-scheduler and kube-controller-manager refuse a flag they do not
 * have, with cobra's `Error: unknown flag: --xyz` and their usage, and exit 1 (the kubelet then
 * restarts them: CrashLoopBackOff); kube-apiserver given `--etcd-servers` where no etcd listens
 * retries the connection, then gives up as it does when its storage never answers.
 */

/** The flags each component accepts (its `--help`), without the leading dashes. */
const common = [
  'authentication-kubeconfig', 'authentication-skip-lookup', 'authentication-token-webhook-cache-ttl', 'authentication-tolerate-lookup-failure',
  'authorization-always-allow-paths', 'authorization-kubeconfig', 'authorization-webhook-cache-authorized-ttl', 'authorization-webhook-cache-unauthorized-ttl',
  'bind-address', 'cert-dir', 'client-ca-file', 'contention-profiling', 'emulated-version', 'feature-gates', 'help', 'h', 'http2-max-streams-per-connection',
  'kube-api-burst', 'kube-api-content-type', 'kube-api-qps', 'kubeconfig', 'leader-elect', 'leader-elect-lease-duration', 'leader-elect-renew-deadline',
  'leader-elect-resource-lock', 'leader-elect-resource-name', 'leader-elect-resource-namespace', 'leader-elect-retry-period', 'log-flush-frequency',
  'log-json-info-buffer-size', 'log-json-split-stream', 'log-text-info-buffer-size', 'log-text-split-stream', 'logging-format', 'master', 'permit-address-sharing',
  'permit-port-sharing', 'profiling', 'requestheader-allowed-names', 'requestheader-client-ca-file', 'requestheader-extra-headers-prefix',
  'requestheader-group-headers', 'requestheader-uid-headers', 'requestheader-username-headers', 'secure-port', 'show-hidden-metrics-for-version',
  'allow-metric-labels', 'allow-metric-labels-manifest', 'disabled-metrics', 'tls-cert-file', 'tls-cipher-suites', 'tls-min-version', 'tls-private-key-file',
  'tls-sni-cert-key', 'v', 'version', 'vmodule',
];

const knownFlags: Record<string, ReadonlySet<string>> = {
  'kube-scheduler': new Set([...common, 'config', 'write-config-to', 'pod-max-in-unschedulable-pods-duration']),
  'kube-controller-manager': new Set([...common,
    'allocate-node-cidrs', 'attach-detach-reconcile-sync-period', 'cidr-allocator-type', 'cloud-config', 'cloud-provider', 'cluster-cidr', 'cluster-name',
    'cluster-signing-cert-file', 'cluster-signing-duration', 'cluster-signing-key-file', 'cluster-signing-kube-apiserver-client-cert-file',
    'cluster-signing-kube-apiserver-client-key-file', 'cluster-signing-kubelet-client-cert-file', 'cluster-signing-kubelet-client-key-file',
    'cluster-signing-kubelet-serving-cert-file', 'cluster-signing-kubelet-serving-key-file', 'cluster-signing-legacy-unknown-cert-file',
    'cluster-signing-legacy-unknown-key-file', 'concurrent-deployment-syncs', 'concurrent-endpoint-syncs', 'concurrent-gc-syncs', 'concurrent-namespace-syncs',
    'concurrent-replicaset-syncs', 'concurrent-service-syncs', 'concurrent-statefulset-syncs', 'configure-cloud-routes', 'controller-start-interval', 'controllers',
    'disable-attach-detach-reconcile-sync', 'enable-dynamic-provisioning', 'enable-garbage-collector', 'enable-hostpath-provisioner', 'enable-leader-migration',
    'external-cloud-volume-plugin', 'flex-volume-plugin-dir', 'horizontal-pod-autoscaler-sync-period', 'large-cluster-size-threshold', 'leader-migration-config',
    'min-resync-period', 'namespace-sync-period', 'node-cidr-mask-size', 'node-cidr-mask-size-ipv4', 'node-cidr-mask-size-ipv6', 'node-eviction-rate',
    'node-monitor-grace-period', 'node-monitor-period', 'node-startup-grace-period', 'pv-recycler-pod-template-filepath-hostpath', 'root-ca-file',
    'secondary-node-eviction-rate', 'service-account-private-key-file', 'service-cluster-ip-range', 'terminated-pod-gc-threshold', 'unhealthy-zone-threshold',
    'use-service-account-credentials',
  ]),
};

/** The start of cobra's usage, as each component prints it after an error (its flag sections are long: the first are shown). */
const usage: Record<string, string[]> = {
  'kube-scheduler': ['Usage:', '  kube-scheduler [flags]', '', 'Misc flags:', '',
    '      --config string                       The path to the configuration file.',
    '      --master string                       The address of the Kubernetes API server (overrides any value in kubeconfig)',
    '      --write-config-to string              If set, write the configuration values to this file and exit.', '',
    'Secure serving flags:', '',
    '      --bind-address ip                        The IP address on which to listen for the --secure-port port. (default 0.0.0.0)',
    '      --secure-port int                        The port on which to serve HTTPS with authentication and authorization. If 0, don\'t serve HTTPS at all. (default 10259)', ''],
  'kube-controller-manager': ['Usage:', '  kube-controller-manager [flags]', '', 'Debugging flags:', '',
    '      --contention-profiling   Enable block profiling, if profiling is enabled', '      --profiling              Enable profiling via web interface host:port/debug/pprof/ (default true)', ''],
};

/** What a component's command line makes it do: the lines it prints, and an exit (after `atMs`) if it does not run. */
export interface ComponentRun { lines: Array<{ afterMs: number; text: string | ((at: number) => string); stderr?: boolean }>; exit?: { code: number; atMs: number } }

const flagName = (arg: string) => arg.replace(/^--?/, '').split('=')[0];

/** The klog header of a warning or fatal line (its letter, the time, the pid 1 of a container). */
const klogLine = (level: string, file: string, text: string) => (ms: number) => {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${level}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}000       1 ${file}] ${text}`;
};

/** Where the kubeadm etcd of this cluster serves clients: the loopback and the advertise address, port 2379. */
function etcdReachable(url: string, advertise: string | undefined): boolean {
  const m = /^https?:\/\/([^:/]+):(\d+)\/?$/.exec(url.trim());
  return !!m && m[2] === '2379' && (m[1] === '127.0.0.1' || m[1] === 'localhost' || m[1] === advertise);
}

/** A component's reading of its flags; undefined when it starts normally. */
export function componentRun(command: string, args: string[]): ComponentRun | undefined {
  const known = knownFlags[command];
  if (known) {
    const unknown = args.find((a) => a.startsWith('-') && !known.has(flagName(a)));
    if (unknown) {
      const shown = unknown.startsWith('--') ? `--${flagName(unknown)}` : `-${flagName(unknown)}`;
      return {
        lines: [`Error: unknown ${unknown.startsWith('--') ? 'flag' : 'shorthand flag'}: ${unknown.startsWith('--') ? shown : `'${flagName(unknown)[0]}' in ${unknown}`}`, ...(usage[command] ?? [])].map((text) => ({ afterMs: 40, text, stderr: true })),
        exit: { code: 1, atMs: 60 },
      };
    }
  }
  if (command === 'kube-apiserver') {
    const value = (name: string) => args.find((a) => flagName(a) === name)?.split('=').slice(1).join('=');
    const servers = (value('etcd-servers') ?? '').split(',').filter(Boolean);
    const bad = servers.find((url) => !etcdReachable(url, value('advertise-address')));
    if (servers.length && bad) {
      const addr = bad.replace(/^\w+:\/\//, '').replace(/\/$/, '');
      return {
        lines: [
          { afterMs: 0, text: klogLine('I', 'options.go:249', `external host was not specified, using ${value('advertise-address') ?? ''}`) },
          { afterMs: 5, text: klogLine('I', 'server.go:175', '"Version info" version="v1.35.0"') },
          ...[1, 3, 5].map((n, i) => ({ afterMs: 1_000 + i * 4_000, stderr: true, text: klogLine('W', 'logging.go:55', `[core] [Channel #${n} SubChannel #${n + 1}]grpc: addrConn.createTransport failed to connect to {Addr: "${addr}", ServerName: "${addr.split(':')[0]}", }. Err: connection error: desc = "transport: Error while dialing: dial tcp ${addr}: connect: connection refused"`) })),
          { afterMs: 20_000, stderr: true, text: klogLine('F', 'instance.go:232', 'Error creating leases: error creating storage factory: context deadline exceeded') },
        ],
        exit: { code: 1, atMs: 20_010 },
      };
    }
  }
  return undefined;
}

/** A component that refuses its command line does not run: its static pod crash-loops, its work is not done. */
export const componentRefuses = (command: string[] | undefined) => !!command?.length && componentRun(command[0].split('/').pop() ?? '', command.slice(1))?.exit !== undefined;

