import { ConfigError, fieldValue, notFound, resourceValue, type EnvContainer, type KeyValues, type PodSources, type PodView, type ResourceFieldRef } from './podenv.ts';

/**
 * A container's mounted volumes as files of its simulated filesystem: path →
 * content, plus the directories its mounts create. Each volume type is one entry
 * of `volumeFiles` (data, not branches in the kubelet): configMap, secret,
 * downwardAPI and projected volumes hold files; a hostPath volume holds the node's
 * files under its path (nodeFiles.ts); emptyDir and persistentVolumeClaim mount an
 * empty directory. A missing source throws the
 * volume plugin's SetUp error, which the kubelet reports as FailedMount.
 */

export interface Filesystem { files: Record<string, string>; dirs: string[]; mounts: MountPoint[] }
/** A volume mounted in the container, as `mount` and `df` list it: secrets (and the token) are tmpfs, the rest the node's disk. */
export interface MountPoint { path: string; readOnly: boolean; tmpfs: boolean }

interface Item { key?: string; path: string; fieldRef?: { fieldPath: string }; resourceFieldRef?: ResourceFieldRef }
interface KeySource { name?: string; items?: Item[]; optional?: boolean }
interface SecretSource { secretName?: string; items?: Item[]; optional?: boolean }
interface ProjectedSource { configMap?: KeySource; secret?: KeySource; downwardAPI?: { items?: Item[] }; serviceAccountToken?: { path: string; audience?: string; expirationSeconds?: number } }
export interface Volume {
  name: string;
  configMap?: KeySource; secret?: SecretSource; downwardAPI?: { items?: Item[] }; projected?: { sources?: ProjectedSource[] };
  emptyDir?: unknown; hostPath?: unknown; persistentVolumeClaim?: { claimName?: string; readOnly?: boolean };
}
export interface VolumeMount { name: string; mountPath: string; subPath?: string; readOnly?: boolean }
export interface MountingContainer extends EnvContainer { volumeMounts?: VolumeMount[] }
export interface VolumePod extends PodView { spec: PodView['spec'] & { volumes?: Volume[] } }

/** SetUp's error for a volume, as the kubelet words FailedMount. */
export class MountError extends Error {}

/** Files of a key-value source: every key, or the items asked for. */
function keyFiles(data: KeyValues | undefined, source: KeySource, kind: 'configmap' | 'secret'): KeyValues {
  if (!data) {
    if (source.optional) return {};
    throw notFound(kind, source.name ?? '');
  }
  if (!source.items?.length) return { ...data };
  const out: KeyValues = {};
  for (const item of source.items) {
    if (!Object.hasOwn(data, item.key ?? '')) {
      if (source.optional) continue;
      throw new ConfigError(`${kind} references non-existent config key: ${item.key}`);
    }
    out[item.path] = data[item.key!];
  }
  return out;
}

function downwardFiles(pod: VolumePod, container: MountingContainer, items: Item[] | undefined, sources: PodSources): KeyValues {
  const out: KeyValues = {};
  for (const item of items ?? []) {
    if (item.fieldRef) out[item.path] = fieldValue(pod, item.fieldRef.fieldPath);
    else if (item.resourceFieldRef) out[item.path] = resourceValue(pod, container, item.resourceFieldRef, sources.nodeAllocatable);
  }
  return out;
}

/**
 * A bound service account token's place in the filesystem where nobody signed one: the
 * kubelet's own pass (a container's program reading it) and a pod whose account is missing.
 * An exec'd process gets a signed one (PodSources.serviceAccountToken) that the API server
 * accepts; this one it refuses. Its payload says whose it is.
 */
function tokenFile(pod: VolumePod): string {
  const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  const sa = pod.spec.serviceAccountName ?? 'default';
  const claims = { sub: `system:serviceaccount:${pod.metadata.namespace}:${sa}`, 'kubernetes.io': { namespace: pod.metadata.namespace, pod: { name: pod.metadata.name, uid: pod.metadata.uid }, serviceaccount: { name: sa } } };
  return `${b64({ alg: 'none', kid: 'simulated' })}.${b64(claims)}.`;
}

type VolumeFiles = (volume: Volume, pod: VolumePod, container: MountingContainer, sources: PodSources) => KeyValues | undefined;

/** Per volume type, its files (undefined: not this type). An empty object is an empty directory. */
const volumeFiles: VolumeFiles[] = [
  (v, _p, _c, s) => v.configMap && keyFiles(s.configMap(v.configMap.name ?? ''), v.configMap, 'configmap'),
  (v, _p, _c, s) => v.secret && keyFiles(s.secret(v.secret.secretName ?? ''), { ...v.secret, name: v.secret.secretName }, 'secret'),
  (v, p, c, s) => v.downwardAPI && downwardFiles(p, c, v.downwardAPI.items, s),
  (v, p, c, s) => v.projected && Object.assign({}, ...(v.projected.sources ?? []).map((src) => {
    if (src.configMap) return keyFiles(s.configMap(src.configMap.name ?? ''), src.configMap, 'configmap');
    if (src.secret) return keyFiles(s.secret(src.secret.name ?? ''), src.secret, 'secret');
    if (src.downwardAPI) return downwardFiles(p, c, src.downwardAPI.items, s);
    if (src.serviceAccountToken) return { [src.serviceAccountToken.path]: s.serviceAccountToken ?? tokenFile(p) };
    return {};
  })),
  (v, _p, _c, s) => (v.hostPath !== undefined ? underPath(s.node?.files ?? {}, (v.hostPath as { path?: string }).path ?? '/') : undefined),
  (v) => (v.emptyDir !== undefined || v.persistentVolumeClaim !== undefined ? {} : undefined),
];

/** A hostPath volume: the node's files under its path, named relative to it (a file path: that one file, as `subPath` reads it). */
function underPath(files: Record<string, string>, path: string): KeyValues {
  const dir = path.replace(/\/+$/, '');
  const out: KeyValues = {};
  for (const [name, content] of Object.entries(files)) if (name.startsWith(`${dir}/`)) out[name.slice(dir.length + 1)] = content;
  return out;
}

const join = (dir: string, file: string) => `${dir.replace(/\/+$/, '')}/${file}`;

/** The container's mounts as files; throws MountError with FailedMount's message. */
export function containerFilesystem(pod: VolumePod, container: MountingContainer, sources: PodSources): Filesystem {
  const fs: Filesystem = { files: {}, dirs: [], mounts: [] };
  const volumes = new Map((pod.spec.volumes ?? []).map((v) => [v.name, v]));
  for (const mount of container.volumeMounts ?? []) {
    const volume = volumes.get(mount.name);
    if (!volume) continue;
    let files: KeyValues = {};
    try {
      for (const make of volumeFiles) {
        const got = make(volume, pod, container, sources);
        if (got) { files = got; break; }
      }
    } catch (err) {
      if (err instanceof ConfigError) throw new MountError(`MountVolume.SetUp failed for volume "${volume.name}" : ${err.message}`);
      throw err;
    }
    // configMap, secret, downwardAPI and projected volumes are read-only whatever the mount says, as the kubelet mounts them.
    const readOnly = mount.readOnly === true || !!(volume.configMap || volume.secret || volume.downwardAPI || volume.projected);
    fs.mounts.push({ path: mount.mountPath.replace(/\/+$/, '') || '/', readOnly, tmpfs: !!(volume.secret || volume.projected) });
    if (mount.subPath) {
      if (Object.hasOwn(files, mount.subPath)) fs.files[mount.mountPath] = files[mount.subPath];
      else fs.dirs.push(mount.mountPath);
      continue;
    }
    fs.dirs.push(mount.mountPath.replace(/\/+$/, '') || '/');
    for (const [path, content] of Object.entries(files)) fs.files[join(mount.mountPath, path)] = content;
  }
  return fs;
}
