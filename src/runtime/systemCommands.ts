import { imageBase } from './imageOutput.ts';
import type { ProgramInput } from './timeline.ts';

/**
 * What a container says about itself when a student looks around in it: `id`, `ps`, `df` and
 * `mount`, as busybox prints them (the formats of its applets), from the container's command and
 * mounts. The figures are a node's, fixed: a simulated disk has no usage to report.
 */

export const systemCommandNames: ReadonlySet<string> = new Set(['id', 'ps', 'df', 'mount']);

/** Images whose userland is busybox (ps is there); Debian-based images (nginx, httpd) have no procps. */
const busyboxImages = new Set(['busybox', 'alpine']);

export function hasSystemCommand(image: string, name: string): boolean {
  return systemCommandNames.has(name) && (name !== 'ps' || busyboxImages.has(imageBase(image)));
}

/** The standard mounts of a container under containerd, before its volumes. */
const baseMounts = [
  'overlay on / type overlay (rw,relatime,lowerdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/41/fs,upperdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/42/fs,workdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/42/work)',
  'proc on /proc type proc (rw,nosuid,nodev,noexec,relatime)',
  'tmpfs on /dev type tmpfs (rw,nosuid,size=65536k,mode=755)',
  'devpts on /dev/pts type devpts (rw,nosuid,noexec,relatime,gid=5,mode=620,ptmxmode=666)',
  'mqueue on /dev/mqueue type mqueue (rw,nosuid,nodev,noexec,relatime)',
  'sysfs on /sys type sysfs (ro,nosuid,nodev,noexec,relatime)',
  'cgroup on /sys/fs/cgroup type cgroup2 (ro,nosuid,nodev,noexec,relatime)',
];
/** The files the kubelet bind-mounts into every container. */
const kubeletFiles = ['/etc/hosts', '/dev/termination-log', '/etc/hostname', '/etc/resolv.conf'];

/** Sizes in 1K blocks: the node's disk, /dev and /dev/shm (64 MiB), a secret's tmpfs. */
const disk = { size: 101_430_960, used: 12_897_172 };
const small = { size: 65_536, used: 0 };
const secretTmpfs = { size: 3_930_112, used: 12 };

const human = (kib: number) => {
  if (kib === 0) return '0';
  const units = ['K', 'M', 'G', 'T'];
  let value = kib;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${value.toFixed(1)}${units[unit]}`;
};

/** The lines a system command prints, and its exit code. */
export function runSystemCommand(cmd: string, args: string[], input: ProgramInput): { lines: string[]; code: number } {
  const mounts = input.mounts ?? [];
  switch (cmd) {
    case 'id': {
      const groups = busyboxImages.has(imageBase(input.image)) ? 'groups=0(root),10(wheel)' : 'groups=0(root)';
      if (args.includes('-u')) return { lines: ['0'], code: 0 };
      if (args.includes('-g')) return { lines: ['0'], code: 0 };
      if (args.includes('-un') || args.includes('-nu')) return { lines: ['root'], code: 0 };
      return { lines: [`uid=0(root) gid=0(root) ${groups}`], code: 0 };
    }
    case 'ps': {
      const command = [...(input.command ?? []), ...(input.args ?? [])].join(' ') || 'sh';
      const row = (pid: number, what: string) => `${String(pid).padStart(5)} root      0:00 ${what}`;
      return { lines: ['PID   USER     TIME  COMMAND', row(1, command), row(7, ['ps', ...args].join(' '))], code: 0 };
    }
    case 'mount': {
      const volumes = mounts.map((m) => `${m.tmpfs ? 'tmpfs' : '/dev/sda1'} on ${m.path} type ${m.tmpfs ? 'tmpfs' : 'ext4'} (${m.readOnly ? 'ro' : 'rw'},relatime${m.tmpfs ? ',size=3930112k' : ''})`);
      const kubelet = kubeletFiles.map((path) => `/dev/sda1 on ${path} type ext4 (rw,relatime)`);
      return { lines: [...baseMounts, ...volumes.filter((l) => !l.startsWith('tmpfs')), ...kubelet, 'shm on /dev/shm type tmpfs (rw,nosuid,nodev,noexec,relatime,size=65536k)', ...volumes.filter((l) => l.startsWith('tmpfs'))], code: 0 };
    }
    case 'df': {
      const readable = args.some((a) => /^-\w*h/.test(a));
      const rows: Array<[string, { size: number; used: number }, string]> = [
        ['overlay', disk, '/'], ['tmpfs', small, '/dev'],
        ...mounts.filter((m) => !m.tmpfs).map((m): [string, typeof disk, string] => ['/dev/sda1', disk, m.path]),
        ...kubeletFiles.filter((f) => f.startsWith('/etc/')).map((f): [string, typeof disk, string] => ['/dev/sda1', disk, f]),
        ['shm', small, '/dev/shm'],
        ...mounts.filter((m) => m.tmpfs).map((m): [string, typeof disk, string] => ['tmpfs', secretTmpfs, m.path]),
      ];
      const percent = (r: { size: number; used: number }) => `${Math.round((r.used / r.size) * 100)}%`;
      const lines = readable
        ? ['Filesystem                Size      Used Available Use% Mounted on', ...rows.map(([fs, r, on]) => `${fs.padEnd(20)}${human(r.size).padStart(10)}${human(r.used).padStart(10)}${human(r.size - r.used).padStart(10)}${percent(r).padStart(5)} ${on}`)]
        : ['Filesystem           1K-blocks      Used Available Use% Mounted on', ...rows.map(([fs, r, on]) => `${fs.padEnd(20)}${String(r.size).padStart(10)}${String(r.used).padStart(10)}${String(r.size - r.used).padStart(10)}${percent(r).padStart(5)} ${on}`)];
      return { lines, code: 0 };
    }
    default:
      return { lines: [], code: 127 };
  }
}
