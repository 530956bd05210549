import { quantityValue } from '../apimachinery/quantity.ts';
import { imageBase } from './imageOutput.ts';

/**
 * How much CPU and memory a simulated container uses: the one usage model the
 * kubelet (OOM kills) and metrics read. Deterministic: a function of the image and
 * command line only. `stress`/`stress-ng` use what their flags ask for
 * (`--vm 1 --vm-bytes 250M` holds 250 MiB, `--cpu 2` two cores), as in the
 * Kubernetes docs' resource exercises; other images use a typical idle footprint.
 */

export interface Usage {
  /** CPU in millicores. */
  cpuMillis: number;
  memoryBytes: number;
}

export interface UsageInput { image: string; command?: string[]; args?: string[] }

const Mi = 1024 * 1024;

/** Idle footprints of well-known images, as `kubectl top` shows them on a kubeadm cluster. */
const imageFootprint: Record<string, Usage> = {
  nginx: { cpuMillis: 1, memoryBytes: 3 * Mi }, httpd: { cpuMillis: 1, memoryBytes: 9 * Mi }, redis: { cpuMillis: 2, memoryBytes: 4 * Mi },
  postgres: { cpuMillis: 2, memoryBytes: 30 * Mi }, mysql: { cpuMillis: 5, memoryBytes: 380 * Mi }, mariadb: { cpuMillis: 2, memoryBytes: 90 * Mi },
  coredns: { cpuMillis: 2, memoryBytes: 14 * Mi }, 'kube-apiserver': { cpuMillis: 40, memoryBytes: 260 * Mi }, etcd: { cpuMillis: 15, memoryBytes: 45 * Mi },
  'kube-scheduler': { cpuMillis: 3, memoryBytes: 22 * Mi }, 'kube-controller-manager': { cpuMillis: 12, memoryBytes: 48 * Mi }, 'kube-proxy': { cpuMillis: 1, memoryBytes: 16 * Mi },
};
/** A shell, `sleep` or anything else small. */
const small: Usage = { cpuMillis: 0, memoryBytes: Mi / 2 };

/** stress's size syntax: a number with an optional B, K, M or G (powers of 1024). */
function stressBytes(text: string | undefined): number {
  const m = /^(\d+(?:\.\d+)?)([bkmg]?)$/i.exec(text ?? '');
  if (!m) return 256 * Mi; // stress's default --vm-bytes
  return Number(m[1]) * 1024 ** ('bkmg'.indexOf((m[2] || 'b').toLowerCase()));
}

const flag = (argv: string[], name: string) => {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
};

/** What a stress command line asks for, if the argv is one (also inside `sh -c '…'`). */
function stressDemand(argv: string[]): Usage | undefined {
  const words = argv.flatMap((a) => a.split(/\s+/)).filter(Boolean);
  const at = words.findIndex((w) => /(^|\/)stress(-ng)?$/.test(w));
  if (at < 0) return undefined;
  const rest = words.slice(at + 1);
  const workers = (name: string) => Math.max(0, Number.parseInt(flag(rest, name) ?? '0', 10) || 0);
  const vm = workers('--vm') || (flag(rest, '--vm-bytes') ? 1 : 0);
  return { cpuMillis: 1000 * (workers('--cpu') + vm), memoryBytes: Mi + vm * stressBytes(flag(rest, '--vm-bytes')) };
}

/** What the container would use with no limits. */
export function demand(input: UsageInput): Usage {
  const argv = [...(input.command ?? []), ...(input.args ?? [])];
  const stress = stressDemand(argv);
  if (stress) return stress;
  const base = imageBase(input.image);
  return imageFootprint[base] ?? imageFootprint[(argv[0] ?? '').split('/').pop()!] ?? small;
}

export interface Limits { cpu?: unknown; memory?: unknown }

/** Usage under limits: CPU is throttled at its limit (memory past its limit is an OOM kill, see oomKilled). */
export function usage(input: UsageInput, limits: Limits = {}): Usage {
  const want = demand(input);
  const cpuLimit = quantityValue(limits.cpu) * 1000;
  return { cpuMillis: Number.isFinite(cpuLimit) ? Math.min(want.cpuMillis, cpuLimit) : want.cpuMillis, memoryBytes: want.memoryBytes };
}

/** Does the container's memory outgrow its limit (the kernel's OOM killer ends it)? */
export function oomKilled(input: UsageInput, limits: Limits = {}): boolean {
  const limit = quantityValue(limits.memory);
  return Number.isFinite(limit) && limit > 0 && demand(input).memoryBytes > limit;
}
