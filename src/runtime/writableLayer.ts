import type { FileLayer } from './execSession.ts';

/**
 * Containers' writable layers: what exec'd processes wrote (`kubectl cp` into a pod, `echo >
 * /tmp/x` in a shell), so the next exec in the same container sees it. A layer belongs to one
 * container instance (its containerID): a restarted container starts from its image and mounts
 * again, as a real one does. Layers are kept in this process's memory (the Node server, or the
 * cluster's Durable Object while it stays in memory), never in the store: an exec costs no
 * storage write, and a layer is lost when the process goes, as a container's is on a restart.
 * Bounded per layer, per cluster and in all. The process is shared by every student's
 * cluster, so past the total it is the cluster holding the most that loses its oldest-used
 * layer: one student filling layers cannot make another's small ones disappear.
 */

const maxLayerBytes = 8 << 20;
const maxClusterBytes = 16 << 20;
const maxTotalBytes = 64 << 20;
const maxLayers = 2000;

interface Layer { files: Map<string, string | null>; dirs: Set<string>; bytes: number }

/** Keys start with the cluster's name (`cluster/namespace/uid/container/containerID`). */
const clusterOf = (key: string) => key.slice(0, key.indexOf('/'));

const layers = new Map<string, Layer>();
/** Bytes and layers per cluster. */
const clusters = new Map<string, { bytes: number; layers: number }>();
let totalBytes = 0;

const sizeOf = (path: string, content: string | null) => path.length + (content?.length ?? 0);

function account(key: string, bytes: number, count: number): void {
  const cluster = clusterOf(key);
  const held = clusters.get(cluster) ?? { bytes: 0, layers: 0 };
  held.bytes += bytes;
  held.layers += count;
  totalBytes += bytes;
  if (held.layers > 0) clusters.set(cluster, held);
  else clusters.delete(cluster);
}

/** Drops layers, each the oldest-used of the cluster holding the most bytes, until within the totals. */
function evict(keep: string): void {
  while (layers.size > maxLayers || totalBytes > maxTotalBytes) {
    const heaviest = [...clusters].sort((a, b) => b[1].bytes - a[1].bytes || b[1].layers - a[1].layers)[0]?.[0];
    const victim = [...layers.keys()].find((k) => k !== keep && clusterOf(k) === heaviest) ?? [...layers.keys()].find((k) => k !== keep);
    if (victim === undefined) return;
    account(victim, -layers.get(victim)!.bytes, -1);
    layers.delete(victim);
  }
}

function touch(key: string): Layer {
  let layer = layers.get(key);
  if (layer) layers.delete(key);
  else {
    layer = { files: new Map(), dirs: new Set(), bytes: 0 };
    account(key, 0, 1);
  }
  layers.set(key, layer);
  evict(key);
  return layer;
}

/** A container's files as the image and mounts made them, with its layer's writes on top. */
export function withLayer(key: string, files: Record<string, string> | undefined, dirs: string[] | undefined): { files: Record<string, string>; dirs: string[] } {
  const layer = layers.get(key);
  if (!layer) return { files: { ...files }, dirs: [...(dirs ?? [])] };
  const out = { ...files };
  for (const [path, content] of layer.files) { if (content === null) delete out[path]; else out[path] = content; }
  return { files: out, dirs: [...new Set([...(dirs ?? []), ...layer.dirs])] };
}

/** The layer an exec'd process writes to. */
export function writableLayer(key: string): FileLayer {
  return {
    write(path, content) {
      const layer = touch(key);
      const before = layer.files.has(path) ? sizeOf(path, layer.files.get(path)!) : 0;
      const delta = sizeOf(path, content) - before;
      if (delta > 0 && (layer.bytes + delta > maxLayerBytes || (clusters.get(clusterOf(key))?.bytes ?? 0) + delta > maxClusterBytes)) return false;
      layer.files.set(path, content);
      layer.bytes += delta;
      account(key, delta, 0);
      evict(key);
      return true;
    },
    mkdir(path) {
      const layer = touch(key);
      if (layer.dirs.has(path)) return;
      layer.dirs.add(path);
      layer.bytes += path.length;
      account(key, path.length, 0);
    },
  };
}

/**
 * A volume a container mounts that is more than the container's: an emptyDir, whose writes are seen
 * by every container of the pod that mounts it and kept across container restarts until the pod goes
 * (the key holds the pod's uid), or a PersistentVolumeClaim, whose writes outlive the pod and are seen
 * by any pod mounting the claim (the key holds the claim's uid). Like every layer, kept in this
 * process's memory. `key` names the volume's layer; paths in it are relative to the volume's root.
 */
export interface SharedMount { mountPath: string; key: string; readOnly?: boolean }

const under = (path: string, mountPath: string) => {
  const root = mountPath.replace(/\/+$/, '');
  return path.startsWith(`${root}/`) ? path.slice(root.length) : undefined;
};

/** The files of the container's shared volumes placed at its mount paths, over `files`. */
export function withSharedMounts(base: { files: Record<string, string>; dirs: string[] }, mounts: SharedMount[]): { files: Record<string, string>; dirs: string[] } {
  if (!mounts.length) return base;
  const files = { ...base.files };
  const dirs = new Set(base.dirs);
  for (const mount of mounts) {
    const layer = layers.get(mount.key);
    if (!layer) continue;
    const root = mount.mountPath.replace(/\/+$/, '');
    for (const [path, content] of layer.files) { if (content === null) delete files[root + path]; else files[root + path] = content; }
    for (const dir of layer.dirs) dirs.add(root + dir);
  }
  return { files, dirs: [...dirs] };
}

/** Routes an exec'd process's writes under a shared mount to that volume's layer, the rest to `own`. */
export function sharedMountsLayer(own: FileLayer, mounts: SharedMount[]): FileLayer {
  if (!mounts.length) return own;
  const route = (path: string): [FileLayer, string] => {
    for (const mount of mounts) {
      const rest = under(path, mount.mountPath);
      if (rest !== undefined && !mount.readOnly) return [writableLayer(mount.key), rest];
    }
    return [own, path];
  };
  return {
    write(path, content) { const [layer, at] = route(path); return layer.write(at, content); },
    mkdir(path) { const [layer, at] = route(path); layer.mkdir(at); },
    ...(own.settled ? { settled: own.settled } : {}),
  };
}
