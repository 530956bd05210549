/**
 * The Pod Security Standards' checks (k8s.io/pod-security-admission/policy), as data: one
 * row per check with its id, level, the version it appeared in and the check itself, which
 * answers with the reason and detail kube-apiserver words. The table is in the order the
 * admission evaluates them (check ids sorted byte-wise, baseline before restricted); a
 * restricted check that supersedes a baseline one says so in `overrides`.
 */

export type Level = 'privileged' | 'baseline' | 'restricted';
export interface Finding { reason: string; detail: string }
type Obj = Record<string, unknown>;
export interface PodView { annotations: Record<string, string>; spec: Obj }
export interface Check { id: string; level: 'baseline' | 'restricted'; since?: number; overrides?: string[]; check(pod: PodView): Finding | undefined }

const joinQuote = (items: string[]) => (items.length ? `"${items.join('", "')}"` : '');
const plural = (singular: string, many: string, n: number) => (n === 1 ? singular : many);
const named = (what: string, names: string[]) => `${plural(what, `${what}s`, names.length)} ${joinQuote(names)}`;
const sorted = (set: Set<string>) => [...set].sort();

/** visitContainers: init containers, containers, ephemeral containers. */
function containers(spec: Obj): Obj[] {
  return ['initContainers', 'containers', 'ephemeralContainers'].flatMap((k) => (spec[k] as Obj[] | undefined) ?? []);
}
const sc = (o: Obj | undefined): Obj | undefined => o?.securityContext as Obj | undefined;
const nameOf = (c: Obj) => String(c.name ?? '');
/** Containers for which `bad` holds. */
const offending = (spec: Obj, bad: (c: Obj) => boolean) => containers(spec).filter(bad).map(nameOf);
const isWindows = (spec: Obj) => (spec.os as Obj | undefined)?.name === 'windows';
/** relaxPolicyForUserNamespacePod: a pod in its own user namespace (hostUsers: false). */
const ownUserNamespace = (spec: Obj) => spec.hostUsers === false;

/** "pod and containers "a", "b"": who set a forbidden value, pod first. */
function setters(podBad: boolean, names: string[]): string[] {
  const out = podBad ? ['pod'] : [];
  if (names.length) out.push(named('container', names));
  return out;
}

const allowedCapabilities = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const allowedSysctls = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']);
const allowedSELinuxTypes = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const allowedVolumeSources = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];
const knownVolumeSources = ['hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd', 'flexVolume', 'cinder', 'cephfs',
  'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos'];
const validSeccomp = (type: unknown) => type === 'RuntimeDefault' || type === 'Localhost';
const validSeccompAnnotation = (v: string) => v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');

function appArmorProfile({ annotations, spec }: PodView): Finding | undefined {
  const allowedType = (p: unknown) => p === 'RuntimeDefault' || p === 'Localhost';
  const badValues = new Set<string>();
  const profileOf = (o: Obj | undefined) => (o?.appArmorProfile as Obj | undefined)?.type;
  const podBad = profileOf(sc(spec)) !== undefined && !allowedType(profileOf(sc(spec)));
  if (podBad) badValues.add(String(profileOf(sc(spec))));
  const names = offending(spec, (c) => {
    const t = profileOf(sc(c));
    if (t === undefined || allowedType(t)) return false;
    badValues.add(String(t));
    return true;
  });
  const list = setters(podBad, names);
  const forbidden = Object.entries(annotations)
    .filter(([k, v]) => k.startsWith('container.apparmor.security.beta.kubernetes.io/') && !(v === '' || v === 'runtime/default' || v.startsWith('localhost/')))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`).sort();
  const values = [...sorted(badValues), ...forbidden];
  if (forbidden.length) list.push(plural('annotation', 'annotations', forbidden.length));
  if (!list.length) return undefined;
  return { reason: plural('forbidden AppArmor profile', 'forbidden AppArmor profiles', values.length), detail: `${list.join(' and ')} must not set AppArmor profile type to ${joinQuote(values)}` };
}

function capabilitiesBaseline({ spec }: PodView): Finding | undefined {
  const bad = new Set<string>();
  const names = offending(spec, (c) => {
    const added = (((sc(c)?.capabilities as Obj | undefined)?.add as string[] | undefined) ?? []).filter((cap) => !allowedCapabilities.has(cap));
    added.forEach((cap) => bad.add(cap));
    return added.length > 0;
  });
  if (!names.length) return undefined;
  return { reason: 'non-default capabilities', detail: `${named('container', names)} must not include ${joinQuote(sorted(bad))} in securityContext.capabilities.add` };
}

function hostNamespaces({ spec }: PodView): Finding | undefined {
  const set = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((k) => spec[k] === true).map((k) => `${k}=true`);
  return set.length ? { reason: 'host namespaces', detail: set.join(', ') } : undefined;
}

function hostPathVolumes({ spec }: PodView): Finding | undefined {
  const names = ((spec.volumes as Obj[] | undefined) ?? []).filter((v) => v.hostPath).map(nameOf);
  return names.length ? { reason: 'hostPath volumes', detail: named('volume', names) } : undefined;
}

function hostPorts({ spec }: PodView): Finding | undefined {
  const ports = new Set<string>();
  const names = offending(spec, (c) => {
    const used = ((c.ports as Obj[] | undefined) ?? []).filter((p) => p.hostPort && p.hostPort !== 0).map((p) => String(p.hostPort));
    used.forEach((p) => ports.add(p));
    return used.length > 0;
  });
  if (!names.length) return undefined;
  return { reason: 'hostPort', detail: `${named('container', names)} ${plural('uses', 'use', names.length)} ${plural('hostPort', 'hostPorts', ports.size)} ${sorted(ports).join(', ')}` };
}

function hostProbesAndHostLifecycle({ spec }: PodView): Finding | undefined {
  const hosts = new Set<string>();
  const hostsOf = (handler: unknown) => ['httpGet', 'tcpSocket'].map((k) => ((handler as Obj | undefined)?.[k] as Obj | undefined)?.host).filter((h): h is string => !!h);
  const names = offending(spec, (c) => {
    const lifecycle = c.lifecycle as Obj | undefined;
    const found = [c.livenessProbe, c.readinessProbe, c.startupProbe, lifecycle?.postStart, lifecycle?.preStop].flatMap(hostsOf);
    found.forEach((h) => hosts.add(h));
    return found.length > 0;
  });
  if (!names.length) return undefined;
  return { reason: 'probe or lifecycle host', detail: `${named('container', names)} ${plural('uses', 'use', names.length)} ${plural('probe or lifecycle host', 'probe or lifecycle hosts', hosts.size)} ${joinQuote(sorted(hosts))}` };
}

function privileged({ spec }: PodView): Finding | undefined {
  const names = offending(spec, (c) => sc(c)?.privileged === true);
  return names.length ? { reason: 'privileged', detail: `${named('container', names)} must not set securityContext.privileged=true` } : undefined;
}

function procMount({ spec }: PodView): Finding | undefined {
  if (ownUserNamespace(spec)) return undefined;
  const types = new Set<string>();
  const names = offending(spec, (c) => {
    const t = sc(c)?.procMount;
    if (t === undefined || t === 'Default') return false;
    types.add(String(t));
    return true;
  });
  return names.length ? { reason: 'procMount', detail: `${named('container', names)} must not set securityContext.procMount to ${joinQuote(sorted(types))}` } : undefined;
}

function seLinuxOptions({ spec }: PodView): Finding | undefined {
  const types = new Set<string>();
  let user = false, role = false;
  const invalid = (o: Obj | undefined): boolean => {
    const opts = o?.seLinuxOptions as Obj | undefined;
    if (!opts) return false;
    let bad = false;
    if (!allowedSELinuxTypes.has(String(opts.type ?? ''))) { types.add(String(opts.type)); bad = true; }
    if (opts.user) { user = true; bad = true; }
    if (opts.role) { role = true; bad = true; }
    return bad;
  };
  const list = setters(invalid(sc(spec)), offending(spec, (c) => invalid(sc(c))));
  if (!list.length) return undefined;
  const data = [...(types.size ? [`${plural('type', 'types', types.size)} ${joinQuote(sorted(types))}`] : []), ...(user ? ['user may not be set'] : []), ...(role ? ['role may not be set'] : [])];
  return { reason: 'seLinuxOptions', detail: `${list.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}` };
}

const seccompType = (o: Obj | undefined) => (o?.seccompProfile as Obj | undefined)?.type;

function seccompBaseline({ spec }: PodView): Finding | undefined {
  const values = new Set<string>();
  const invalid = (o: Obj | undefined) => {
    const t = seccompType(o);
    if (t === undefined || validSeccomp(t)) return false;
    values.add(String(t));
    return true;
  };
  const list = setters(invalid(sc(spec)), offending(spec, (c) => invalid(sc(c))));
  return list.length ? { reason: 'seccompProfile', detail: `${list.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sorted(values))}` } : undefined;
}

function sysctls({ spec }: PodView): Finding | undefined {
  const bad = (((sc(spec)?.sysctls as Obj[] | undefined) ?? []).map(nameOf)).filter((n) => !allowedSysctls.has(n));
  return bad.length ? { reason: 'forbidden sysctls', detail: bad.join(', ') } : undefined;
}

function windowsHostProcess({ spec }: PodView): Finding | undefined {
  const hostProcess = (o: Obj | undefined) => (o?.windowsOptions as Obj | undefined)?.hostProcess === true;
  const list = setters(hostProcess(sc(spec)), offending(spec, (c) => hostProcess(sc(c))));
  return list.length ? { reason: 'hostProcess', detail: `${list.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true` } : undefined;
}

function allowPrivilegeEscalation({ spec }: PodView): Finding | undefined {
  if (isWindows(spec)) return undefined;
  const names = offending(spec, (c) => sc(c)?.allowPrivilegeEscalation !== false);
  return names.length ? { reason: 'allowPrivilegeEscalation != false', detail: `${named('container', names)} must set securityContext.allowPrivilegeEscalation=false` } : undefined;
}

function capabilitiesRestricted({ spec }: PodView): Finding | undefined {
  if (isWindows(spec)) return undefined;
  const forbidden = new Set<string>();
  const capabilities = (c: Obj) => sc(c)?.capabilities as { add?: string[]; drop?: string[] } | undefined;
  const missingDrop = offending(spec, (c) => !capabilities(c)?.drop?.includes('ALL'));
  const adding = offending(spec, (c) => {
    const added = (capabilities(c)?.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE');
    added.forEach((cap) => forbidden.add(cap));
    return added.length > 0;
  });
  const details = [
    ...(missingDrop.length ? [`${named('container', missingDrop)} must set securityContext.capabilities.drop=["ALL"]`] : []),
    ...(adding.length ? [`${named('container', adding)} must not include ${joinQuote(sorted(forbidden))} in securityContext.capabilities.add`] : []),
  ];
  return details.length ? { reason: 'unrestricted capabilities', detail: details.join('; ') } : undefined;
}

function restrictedVolumes({ spec }: PodView): Finding | undefined {
  const types = new Set<string>();
  const names = ((spec.volumes as Obj[] | undefined) ?? []).filter((v) => {
    if (allowedVolumeSources.some((k) => v[k] !== undefined)) return false;
    types.add(knownVolumeSources.find((k) => v[k] !== undefined) ?? 'unknown');
    return true;
  }).map(nameOf);
  if (!names.length) return undefined;
  return { reason: 'restricted volume types', detail: `${named('volume', names)} ${plural('uses', 'use', names.length)} ${plural('restricted volume type', 'restricted volume types', types.size)} ${joinQuote(sorted(types))}` };
}

function runAsNonRoot({ spec }: PodView): Finding | undefined {
  if (ownUserNamespace(spec)) return undefined;
  const podSetting = sc(spec)?.runAsNonRoot;
  const explicit = offending(spec, (c) => sc(c)?.runAsNonRoot === false);
  const implicit = offending(spec, (c) => sc(c)?.runAsNonRoot === undefined && podSetting !== true);
  const list = setters(podSetting === false, explicit);
  if (list.length) return { reason: 'runAsNonRoot != true', detail: `${list.join(' and ')} must not set securityContext.runAsNonRoot=false` };
  if (implicit.length) return { reason: 'runAsNonRoot != true', detail: `pod or ${named('container', implicit)} must set securityContext.runAsNonRoot=true` };
  return undefined;
}

function runAsUser({ spec }: PodView): Finding | undefined {
  if (ownUserNamespace(spec)) return undefined;
  const list = setters(sc(spec)?.runAsUser === 0, offending(spec, (c) => sc(c)?.runAsUser === 0));
  return list.length ? { reason: 'runAsUser=0', detail: `${list.join(' and ')} must not set runAsUser=0` } : undefined;
}

function seccompRestricted({ spec }: PodView): Finding | undefined {
  if (isWindows(spec)) return undefined;
  const values = new Set<string>();
  const podType = seccompType(sc(spec));
  const podBad = podType !== undefined && !validSeccomp(podType);
  if (podBad) values.add(String(podType));
  const explicit = offending(spec, (c) => {
    const t = seccompType(sc(c));
    if (t === undefined || validSeccomp(t)) return false;
    values.add(String(t));
    return true;
  });
  const implicit = offending(spec, (c) => seccompType(sc(c)) === undefined && !(podType !== undefined && !podBad));
  const list = setters(podBad, explicit);
  if (list.length) return { reason: 'seccompProfile', detail: `${list.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sorted(values))}` };
  if (implicit.length) return { reason: 'seccompProfile', detail: `pod or ${named('container', implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"` };
  return undefined;
}

/** The seccomp annotations of pods older than v1.19 (checked only for such policy versions). */
function seccompAnnotations({ annotations, spec }: PodView): Finding | undefined {
  const keys = ['seccomp.security.alpha.kubernetes.io/pod', ...containers(spec).map((c) => `container.seccomp.security.alpha.kubernetes.io/${nameOf(c)}`)];
  const bad = keys.filter((k) => k in annotations && !validSeccompAnnotation(annotations[k])).map((k) => `${k}=${JSON.stringify(annotations[k])}`).sort();
  return bad.length ? { reason: 'seccompProfile', detail: `forbidden ${plural('annotation', 'annotations', bad.length)} ${bad.join(', ')}` } : undefined;
}

export const checks: Check[] = [
  { id: 'appArmorProfile', level: 'baseline', check: appArmorProfile },
  { id: 'capabilities_baseline', level: 'baseline', check: capabilitiesBaseline },
  { id: 'hostNamespaces', level: 'baseline', check: hostNamespaces },
  { id: 'hostPathVolumes', level: 'baseline', check: hostPathVolumes },
  { id: 'hostPorts', level: 'baseline', check: hostPorts },
  { id: 'hostProbesAndHostLifecycle', level: 'baseline', since: 34, check: hostProbesAndHostLifecycle },
  { id: 'privileged', level: 'baseline', check: privileged },
  { id: 'procMount', level: 'baseline', check: procMount },
  { id: 'seLinuxOptions', level: 'baseline', check: seLinuxOptions },
  { id: 'seccompProfile_baseline', level: 'baseline', check: seccompBaseline },
  { id: 'sysctls', level: 'baseline', check: sysctls },
  { id: 'windowsHostProcess', level: 'baseline', check: windowsHostProcess },
  { id: 'allowPrivilegeEscalation', level: 'restricted', since: 8, check: allowPrivilegeEscalation },
  { id: 'capabilities_restricted', level: 'restricted', since: 22, overrides: ['capabilities_baseline'], check: capabilitiesRestricted },
  { id: 'restrictedVolumes', level: 'restricted', overrides: ['hostPathVolumes'], check: restrictedVolumes },
  { id: 'runAsNonRoot', level: 'restricted', check: runAsNonRoot },
  { id: 'runAsUser', level: 'restricted', since: 23, check: runAsUser },
  { id: 'seccompProfile_restricted', level: 'restricted', since: 19, overrides: ['seccompProfile_baseline'], check: seccompRestricted },
];

/** Before v1.19 the baseline seccomp check read annotations, not fields. */
export const seccompBeforeFields: Check = { id: 'seccompProfile_baseline', level: 'baseline', check: seccompAnnotations };
