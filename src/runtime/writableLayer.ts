import type { FileLayer } from './execSession.ts';

/**
 * Containers' writable layers: what exec'd processes wrote (`kubectl cp` into a pod, `echo >
 * /tmp/x` in a shell), so the next exec in the same container sees it. A layer belongs to one
 * container instance (its containerID): a restarted container starts from its image and mounts
 * again, as a real one does. Layers are kept in this process's memory (the Node server, or the
 * cluster's Durable Object while it stays in memory), never in the store: an exec costs no
 * storage write, and a layer is lost when the process goes, as a container's is on a restart.
 * Bounded per layer and in all, oldest-used dropped first.
 */

const maxLayerBytes = 8 << 20;
const maxTotalBytes = 64 << 20;
const maxLayers = 2000;

interface Layer { files: Map<string, string | null>; dirs: Set<string>; bytes: number }

const layers = new Map<string, Layer>();
let totalBytes = 0;

const sizeOf = (path: string, content: string | null) => path.length + (content?.length ?? 0);

function touch(key: string): Layer {
  let layer = layers.get(key);
  if (layer) layers.delete(key);
  else layer = { files: new Map(), dirs: new Set(), bytes: 0 };
  layers.set(key, layer);
  for (const [oldest, old] of layers) {
    if (layers.size <= maxLayers && totalBytes <= maxTotalBytes) break;
    if (oldest === key) break;
    layers.delete(oldest);
    totalBytes -= old.bytes;
  }
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
      if (delta > 0 && layer.bytes + delta > maxLayerBytes) return false;
      layer.files.set(path, content);
      layer.bytes += delta;
      totalBytes += delta;
      return true;
    },
    mkdir(path) {
      const layer = touch(key);
      if (layer.dirs.has(path)) return;
      layer.dirs.add(path);
      layer.bytes += path.length;
      totalBytes += path.length;
    },
  };
}
