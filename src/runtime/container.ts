import { ConfigError, containerEnv, expandCommand, type PodSources } from './podenv.ts';
import { hostsFile, resolvConf, type DnsPod } from './dns.ts';
import { imageFiles } from './imageFiles.ts';
import type { HostRoot, ProgramInput } from './timeline.ts';
import { containerFilesystem, MountError, type MountingContainer, type VolumePod } from './volumes.ts';

/**
 * What the kubelet hands the runtime to start one container: its environment,
 * command line with $(VAR) expanded, and mounted files; or why it cannot start
 * (a volume that cannot be set up, or CreateContainerConfigError).
 */
/** `stdin`: the container keeps its stdin open (kubectl run -i): a shell reading it waits instead of exiting. */
export interface RunnableContainer extends MountingContainer { image?: string; stdin?: boolean }

export type Prepared = { input: ProgramInput; error?: undefined } | { error: { kind: 'mount' | 'config'; message: string } };

export function prepareContainer(pod: VolumePod, container: RunnableContainer, sources: PodSources, podIP?: string): Prepared {
  // A pod on the host's network has the node's hostname (the kubelet does not set one of its own).
  const spec = pod.spec as { hostNetwork?: boolean; nodeName?: string };
  const hostname = (spec.hostNetwork && spec.nodeName) || (pod.metadata.name ?? '');
  try {
    const fs = containerFilesystem(pod, container, sources);
    const env = containerEnv(pod, container, sources);
    // The kubelet's resolver files come before the mounts (a volume mounted over /etc hides them).
    const dnsPod = pod as DnsPod;
    const resolver = { '/etc/resolv.conf': resolvConf(dnsPod), '/etc/hosts': hostsFile(dnsPod, podIP) };
    const host = hostRoot(pod, container, sources);
    return { input: { image: container.image ?? '', ...expandCommand(container, env), env, hostname, podIP, files: { ...imageFiles(container.image ?? '', fs), ...resolver, ...fs.files }, dirs: fs.dirs, mounts: fs.mounts, ...(container.stdin ? { openStdin: true } : {}), ...(host ? { host } : {}) } };
  } catch (err) {
    if (err instanceof MountError) return { error: { kind: 'mount', message: err.message } };
    if (err instanceof ConfigError) return { error: { kind: 'config', message: err.message } };
    throw err;
  }
}

/** Where the container mounts its node's root (a hostPath volume of `/`), with the node's units and containers. */
export function hostRoot(pod: VolumePod, container: RunnableContainer, sources: PodSources): HostRoot | undefined {
  if (!sources.node) return undefined;
  const roots = new Set((pod.spec.volumes ?? []).filter((v) => (v.hostPath as { path?: string } | undefined)?.path?.replace(/\/+$/, '') === '').map((v) => v.name));
  const mount = (container.volumeMounts ?? []).find((m) => roots.has(m.name) && !m.subPath);
  if (!mount) return undefined;
  const { host, state, containers } = sources.node;
  const peers = Object.fromEntries(Object.entries(sources.node.peers?.() ?? {}).map(([name, peer]) => [name, { files: peer.files, units: peer.state.units, containers: peer.containers ?? [] }]));
  return { mountPath: mount.mountPath.replace(/\/+$/, '') || '/', node: host.name, units: state.units, containers: containers ?? [], peers };
}

/** The program input from the spec alone, for a container whose sources are gone (its logs still read). */
export const specInput = (pod: VolumePod, container: RunnableContainer & { env?: Array<{ name: string; value?: string }> }, podIP?: string): ProgramInput => ({
  image: container.image ?? '', command: container.command, args: container.args, env: container.env?.filter((e) => e.value !== undefined), hostname: pod.metadata.name ?? '', podIP,
  ...(container.stdin ? { openStdin: true } : {}),
});

/** ConfigMaps and Secrets a pod reads (env, envFrom, volumes), by name: what its kubelet must see change. */
export function referencedSources(pod: VolumePod): { configMaps: string[]; secrets: string[] } {
  const configMaps = new Set<string>(), secrets = new Set<string>();
  for (const c of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])]) {
    for (const f of c.envFrom ?? []) { if (f.configMapRef?.name) configMaps.add(f.configMapRef.name); if (f.secretRef?.name) secrets.add(f.secretRef.name); }
    for (const e of c.env ?? []) { const v = e.valueFrom; if (v?.configMapKeyRef?.name) configMaps.add(v.configMapKeyRef.name); if (v?.secretKeyRef?.name) secrets.add(v.secretKeyRef.name); }
  }
  for (const v of pod.spec.volumes ?? []) {
    if (v.configMap?.name) configMaps.add(v.configMap.name);
    if (v.secret?.secretName) secrets.add(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) { if (s.configMap?.name) configMaps.add(s.configMap.name); if (s.secret?.name) secrets.add(s.secret.name); }
  }
  return { configMaps: [...configMaps], secrets: [...secrets] };
}
