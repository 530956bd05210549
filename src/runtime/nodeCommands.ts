import type { CriContainer, UnitState } from './nodeFiles.ts';
import type { HostRoot, TimedText } from './timeline.ts';

/**
 * The node's own commands, reached from a shell whose root is the node's (`chroot /host` in
 * a `kubectl debug node/…` pod): `systemctl` for the kubelet's unit, with systemd's wording
 * and exit codes, and `crictl ps|logs` over the containers the node runs. A unit started or
 * stopped is written as the file event `unit:<name>` (UnitChange JSON), which the hostPath
 * writer (registry/nodeFilesystem.ts) turns into the node's state.
 */

/** The write a `systemctl start|stop` makes; the writer stamps the time. */
export interface UnitChange { active: boolean }
export const unitPath = (unit: string) => `unit:${unit}`;

export const nodeCommandNames: ReadonlySet<string> = new Set(['systemctl', 'crictl']);

export interface NodeCommandResult { lines: TimedText[]; code: number; units?: Record<string, UnitChange> }

const week = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (n: number) => String(n).padStart(2, '0');
const systemdTime = (ms: number) => {
  const d = new Date(ms);
  return `${week[d.getUTCDay()]} ${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
};
/** systemd's "5min ago" (format_timespan, two most significant units). */
function ago(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.floor(ms))}ms ago`;
  let s = Math.floor(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [['month', 2_629_800], ['day', 86_400], ['h', 3600], ['min', 60], ['s', 1]] as const) {
    if (s >= size && parts.length < 2) { parts.push(`${Math.floor(s / size)}${unit === 'month' ? ' month' : unit === 'day' ? ' day' : unit}`); s %= size; }
  }
  return `${parts.join(' ') || '0'} ago`;
}

const kubeletCommand = '/usr/bin/kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml --container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10.1';

/** `systemctl status kubelet` as systemd 255 prints it, for a unit active or stopped since `since` (unknown: now). */
function unitStatus(unit: string, state: UnitState | undefined, pending: UnitChange | undefined): TimedText[] {
  const active = pending ? pending.active : state?.active !== false;
  const since = pending ? undefined : state?.since;
  const pid = 1000 + (unit.length * 97) % 800;
  return [{
    offsetMs: 0,
    text: (now: number) => {
      const at = since ? Date.parse(since) : now;
      const lines = unit === 'kubelet'
        ? [`${active ? '●' : '○'} kubelet.service - kubelet: The Kubernetes Node Agent`,
          '     Loaded: loaded (/usr/lib/systemd/system/kubelet.service; enabled; preset: enabled)',
          '    Drop-In: /usr/lib/systemd/system/kubelet.service.d',
          '             └─10-kubeadm.conf',
          active ? `     Active: active (running) since ${systemdTime(at)}; ${ago(now - at)}` : `     Active: inactive (dead) since ${systemdTime(at)}; ${ago(now - at)}`,
          '       Docs: https://kubernetes.io/docs/',
          ...(active
            ? [`   Main PID: ${pid} (kubelet)`, '      Tasks: 14 (limit: 4612)', '     Memory: 41.8M (peak: 44.2M)', '        CPU: 2.114s', '     CGroup: /system.slice/kubelet.service', `             └─${pid} ${kubeletCommand}`]
            : [`    Process: ${pid} ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS (code=exited, status=0/SUCCESS)`, `   Main PID: ${pid} (code=exited, status=0/SUCCESS)`, '        CPU: 2.114s'])]
        : [`● ${unit}.service - containerd container runtime`, `     Loaded: loaded (/usr/lib/systemd/system/${unit}.service; enabled; preset: enabled)`,
          `     Active: active (running) since ${systemdTime(at)}; ${ago(now - at)}`, '       Docs: https://containerd.io'];
      return lines.join('\n');
    },
  }];
}

function systemctl(args: string[], host: HostRoot, pending: Record<string, UnitChange>): NodeCommandResult {
  const words = args.filter((a) => !a.startsWith('-'));
  const [verb = 'list-units', ...names] = words;
  const line = (text: string, stderr = false): TimedText => ({ offsetMs: 0, text, ...(stderr ? { stderr: true } : {}) });
  const units = names.map((n) => n.replace(/\.service$/, ''));
  const unknown = units.find((u) => u !== 'kubelet' && u !== 'containerd');
  if (['status', 'start', 'stop', 'restart', 'is-active', 'enable', 'disable', 'reload', 'daemon-reload', 'is-enabled', 'cat'].includes(verb) === false && verb !== 'list-units') {
    return { lines: [line(`Unknown command verb '${verb}'.`, true)], code: 1 };
  }
  if (verb === 'daemon-reload') return { lines: [], code: 0 };
  if (!units.length && verb !== 'list-units') return { lines: [line(`Too few arguments.`, true)], code: 1 };
  if (unknown !== undefined) {
    if (verb === 'status') return { lines: [line(`Unit ${unknown}.service could not be found.`, true)], code: 4 };
    if (verb === 'is-active') return { lines: [line('inactive')], code: 3 };
    return { lines: [line(`Failed to ${verb} ${unknown}.service: Unit ${unknown}.service not found.`, true)], code: 5 };
  }
  const activeNow = (u: string) => (pending[u] ? pending[u].active : host.units[u]?.active !== false);
  switch (verb) {
    case 'status': {
      const lines = units.flatMap((u, i) => [...(i ? [line('')] : []), ...unitStatus(u, host.units[u], pending[u])]);
      return { lines, code: units.every(activeNow) ? 0 : 3 };
    }
    case 'is-active': return { lines: units.map((u) => line(activeNow(u) ? 'active' : 'inactive')), code: units.every(activeNow) ? 0 : 3 };
    case 'is-enabled': return { lines: units.map(() => line('enabled')), code: 0 };
    case 'start': case 'restart': case 'reload': return { lines: [], code: 0, units: Object.fromEntries(units.map((u) => [u, { active: true }])) };
    case 'stop': return { lines: [], code: 0, units: Object.fromEntries(units.map((u) => [u, { active: false }])) };
    case 'enable': case 'disable': return { lines: [], code: 0 };
    default: return { lines: [], code: 0 };
  }
}

const col = (text: string, width: number) => text.padEnd(width);
/** go-units' HumanDuration, as crictl's CREATED column says it. */
const relative = (ms: number) => {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60), h = Math.round(s / 3600);
  const d = s < 1 ? 'Less than a second' : s === 1 ? '1 second' : s < 60 ? `${s} seconds` : m === 1 ? 'About a minute' : m < 60 ? `${m} minutes`
    : h === 1 ? 'About an hour' : h < 48 ? `${h} hours` : `${Math.floor(s / 86_400)} days`;
  return `${d} ago`;
};

/** crictl's ps table (tabwriter, min width 20, padding 3) and logs. */
function crictl(args: string[], host: HostRoot): NodeCommandResult {
  const [verb, ...rest] = args;
  const line = (text: string | ((at: number) => string), stderr = false): TimedText => ({ offsetMs: 0, text, ...(stderr ? { stderr: true } : {}) });
  if (verb === 'ps') {
    const all = rest.some((a) => a === '-a' || a === '--all');
    const nameFilter = rest.find((a) => a.startsWith('--name='))?.slice(7) ?? (rest.includes('--name') ? rest[rest.indexOf('--name') + 1] : undefined);
    const rows = host.containers.filter((c) => (all || c.state === 'Running') && (!nameFilter || c.name.includes(nameFilter)));
    return {
      code: 0,
      lines: [line((now: number) => {
        const table = [['CONTAINER', 'IMAGE', 'CREATED', 'STATE', 'NAME', 'ATTEMPT', 'POD ID', 'POD', 'NAMESPACE'],
          ...rows.map((c) => [c.id.slice(0, 13), c.image.slice(0, 13), relative(now - c.createdAt), c.state, c.name, String(c.attempt), c.podId.slice(0, 13), c.pod, c.namespace])];
        const widths = table[0].map((_, i) => Math.max(17, ...table.map((r) => r[i].length)) + 3);
        return table.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : col(cell, widths[i]))).join('')).join('\n');
      })],
    };
  }
  if (verb === 'logs') {
    const id = rest.filter((a) => !a.startsWith('-')).pop();
    if (!id) return { lines: [line('ID cannot be empty', true)], code: 1 };
    const found = host.containers.filter((c) => c.id.startsWith(id));
    if (found.length !== 1) return { lines: [line(`rpc error: code = NotFound desc = an error occurred when try to find container "${id}": not found`, true)], code: 1 };
    const tail = rest.find((a) => a.startsWith('--tail='));
    const logs = tail ? found[0].logs.slice(-Number(tail.slice(7))) : found[0].logs;
    return { lines: logs.map((l) => line(l, true)), code: 0 };
  }
  if (verb === 'pods') {
    const seen = new Map(host.containers.map((c) => [c.podId, c]));
    return { code: 0, lines: [line((now: number) => ['POD ID              CREATED             STATE               NAME                                  NAMESPACE           ATTEMPT             RUNTIME',
      ...[...seen.values()].map((c) => [col(c.podId.slice(0, 13), 20), col(relative(now - c.createdAt), 20), col('Ready', 20), col(c.pod, 38), col(c.namespace, 20), col('0', 20), '(default)'].join(''))].join('\n'))] };
  }
  return { lines: [line(`No help topic for '${verb ?? ''}'`, true)], code: 1 };
}

/** Runs a node command; `pending`: units this script already started or stopped. */
export function runNodeCommand(cmd: string, args: string[], host: HostRoot, pending: Record<string, UnitChange>): NodeCommandResult {
  return cmd === 'systemctl' ? systemctl(args, host, pending) : crictl(args, host);
}

export type { CriContainer };
