import type { Context } from 'hono';
import { ApiError, badRequest, methodNotAllowed } from '../apimachinery/errors.ts';
import { queryBool } from '../apimachinery/queryParams.ts';
import { podSources } from '../registry/podSources.ts';
import type { Registry } from '../registry/generic.ts';
import type { KubeObject, ResourceDef } from '../registry/types.ts';
import { maxStdinBytes, startExec, type ExecSession, type ExecSink, type FileLayer } from '../runtime/execSession.ts';
import { hostWritesOf } from '../runtime/nodeFiles.ts';
import { applyHostWrites, maxNodeStateBytes } from '../registry/nodeFilesystem.ts';
import { recordContainerExit } from '../registry/containerExit.ts';
import { interactiveShell } from '../runtime/programs.ts';
import { containerProgram } from '../runtime/networkPrograms.ts';
import { linesBetween, type Program, type ProgramInput } from '../runtime/timeline.ts';
import type { ContainerSpec } from '../runtime/stages.ts';
import type { VolumePod } from '../runtime/volumes.ts';
import { sharedMountsLayer, writableLayer, type SharedMount } from '../runtime/writableLayer.ts';
import { allContainers, containerInput, containerStatuses, isRunning, type PodView } from './podContainers.ts';
import type { Keys } from '../ports.ts';
import type { ApiAnswer, ApiCall, LoadingNetworkView } from '../runtime/network.ts';
import type { Connection, Loopback } from './clientCertificates.ts';
import { networkLoader } from './clusterNetwork.ts';
import { podServiceAccountToken } from './serviceAccountTokens.ts';
import type { SubresourceHandler } from './subresource.ts';
import { channel, chooseProtocol, exitStatus, frame, internalErrorStatus, servedProtocols, type ServedProtocol, type StreamStatus } from './remotecommand.ts';
import type { ResourceRequest } from './requestInfo.ts';
import { isWebSocketRequest, offeredProtocols, type StreamListener, type StreamSocket } from './upgrade.ts';

/**
 * pods/exec: kube-apiserver's ExecLocation checks (the pod, its container, its node) answer
 * before the upgrade, as plain Statuses; what the kubelet would say (the container is not
 * running) comes after it, on the error channel, as kube-apiserver's stream translator
 * relays it. The process itself is runtime/execSession.ts.
 */

interface ExecOptions { command: string[]; container?: string; stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean }

function execOptions(c: Context, attach: boolean): ExecOptions {
  const url = new URL(c.req.url);
  const flag = (name: string) => queryBool(url.searchParams.get(name) ?? undefined);
  const options = { command: url.searchParams.getAll('command'), container: url.searchParams.get('container') || undefined, stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr'), tty: flag('tty') };
  // pkg/apis/core/validation ValidatePodExecOptions, in its words.
  if (!attach && !options.command.length) throw new ApiError(422, 'Invalid', 'PodExecOptions "" is invalid: command: Required value');
  if (!options.stdin && !options.stdout && !options.stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  return options;
}

/** streamLocation's choice of container: the only one, or the one named (init and ephemeral containers count). */
function chooseContainer(pod: PodView, requested: string | undefined): ContainerSpec {
  const name = pod.metadata.name!;
  const containers = pod.spec.containers ?? [], inits = pod.spec.initContainers ?? [];
  if (!requested) {
    if (containers.length === 1) return containers[0];
    let message = `a container name must be specified for pod ${name}, choose one of: [${containers.map((x) => x.name).join(' ')}]`;
    if (inits.length) message += ` or one of the init containers: [${inits.map((x) => x.name).join(' ')}]`;
    throw badRequest(message);
  }
  const found = [...containers, ...inits, ...(pod.spec.ephemeralContainers ?? [])].find((x) => x.name === requested);
  if (!found) throw badRequest(`container ${requested} is not valid for pod ${name}`);
  return found;
}

/**
 * What a process in a pod reaches beyond its files: the API server, through the entry's loopback,
 * with the service-account token the kubelet would mount (signed with `keys`).
 */
export interface ApiReach { keys: Keys; loopback: Loopback }

/**
 * pods/exec and pods/attach (the same checks; attach follows the container's own output instead
 * of starting a process). With `keys`, an exec'd process's token file holds a token the API
 * server accepts, and `curl` with it reaches this API server as the pod's service account.
 */
export function podStreamHandlers(keys?: Keys): { exec: SubresourceHandler; attach: SubresourceHandler } {
  return {
    exec: (c, registry, def, info, namespace) => connect(c, registry, def, info, namespace, false, keys),
    attach: (c, registry, def, info, namespace) => connect(c, registry, def, info, namespace, true, keys),
  };
}

/** Where the API server is, for the session's processes: kept in the session's token, so a resumed session reaches it too. */
interface ApiPlace { base: string; clusterUid: string }

async function connect(c: Context, registry: Registry, def: ResourceDef, info: ResourceRequest, namespace: string | undefined, attach: boolean, keys: Keys | undefined): Promise<Response> {
  if (info.verb !== 'get' && info.verb !== 'create') throw methodNotAllowed();
  const options = execOptions(c, attach);
  const pod = (await registry.get(def, namespace, info.name!)) as PodView;
  const spec = chooseContainer(pod, options.container);
  if (!pod.spec.nodeName) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);

  const request = c.req.raw;
  // SPDY (kubectl before 1.30, or its fallback when the WebSocket upgrade failed) is not served.
  if (!isWebSocketRequest(request)) {
    const spdy = (request.headers.get('upgrade') ?? '').toLowerCase().startsWith('spdy');
    throw badRequest(spdy ? 'unable to upgrade connection: this server streams exec and attach over WebSocket only (v5.channel.k8s.io, kubectl 1.30 or later), not SPDY' : 'Upgrade request required');
  }
  const upgrade = (c.env as Connection | undefined)?.upgrade;
  if (!upgrade) throw badRequest('unable to upgrade connection: this entry cannot hold a WebSocket (use the Node entry or the Worker)');
  const offered = offeredProtocols(request);
  const protocol = chooseProtocol(offered);
  if (!protocol) throw badRequest(`unable to upgrade connection: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${servedProtocols.join(' ')}]`);

  const loopback = (c.env as Connection | undefined)?.loopback;
  const clusterUid = (c.get('record') as { uid?: string } | undefined)?.uid;
  const apiAt = request.url.indexOf('/api/v1/namespaces/');
  const api: ApiPlace | undefined = keys && loopback && clusterUid && apiAt > 0 ? { base: request.url.slice(0, apiAt), clusterUid } : undefined;
  const reach = api && keys && loopback ? { keys, loopback } : undefined;
  const session: SessionSpec = {
    cluster: registry.cluster, group: def.group, version: def.version, resource: def.plural, namespace, pod: pod.metadata.name!, uid: pod.metadata.uid ?? '', container: spec.name,
    command: options.command, stdin: options.stdin, stdout: options.stdout, stderr: options.stderr, tty: options.tty, attach, protocol, ...(api ? { api } : {}),
  };
  const start = await sessionStart(registry, def, session, pod, reach);
  // The token lets an entry that hibernates sockets (the Durable Object) pick the session up again.
  return upgrade(request, protocol, (socket) => openSession(registry, def, session, start, socket, false, reach), JSON.stringify(session));
}

/** What a session is, as a small JSON token: enough to start it again on a socket that outlived its process. */
interface SessionSpec {
  cluster: string; group: string; version: string; resource: string; namespace: string | undefined; pod: string; uid: string; container: string;
  command: string[]; stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean; attach: boolean; protocol: ServedProtocol;
  api?: ApiPlace;
}

/** What the kubelet finds: a running container to exec in, with its env and files as the kubelet made them and exec'd processes left them. */
interface SessionStart { pod: PodView; spec: ContainerSpec; running: boolean; input: ProgramInput; layerKey: string; mounts: SharedMount[] }

async function sessionStart(registry: Registry, def: ResourceDef, session: SessionSpec, pod: PodView, reach: ApiReach | undefined): Promise<SessionStart> {
  const spec = allContainers(pod).find((x) => x.name === session.container)!;
  const running = pod.metadata.uid === session.uid && isRunning(pod, spec.name);
  const volumePod = pod as unknown as VolumePod;
  const sources = running ? await podSources(registry, volumePod) : undefined;
  // The token the kubelet would have mounted, signed, for a process that uses it against the API server.
  const token = sources && reach && session.api ? await podServiceAccountToken(reach.keys, registry, session.api.clusterUid, volumePod as unknown as { metadata: { namespace?: string }; spec: { serviceAccountName?: string } }) : undefined;
  const { input, layerKey, mounts } = containerInput(session.cluster, pod, spec, sources && token ? { ...sources, serviceAccountToken: token } : sources, registry.now().getTime());
  return { pod, spec, running, input, layerKey, mounts };
}

/**
 * A session on an accepted socket. `resumed`: the socket outlived the process that served it
 * (a hibernated Durable Object woke for its next message), so nothing is announced again.
 */
function openSession(registry: Registry, def: ResourceDef, session: SessionSpec, start: SessionStart, socket: StreamSocket, resumed: boolean, reach: ApiReach | undefined): StreamListener {
  const { pod, spec, running, input } = start;
  let finished = false;
  const finish = (status: StreamStatus) => {
    if (finished) return;
    finished = true;
    socket.send(frame(channel.error, JSON.stringify(status)));
    socket.close(1000, '');
  };
  if (!running) {
    finish(internalErrorStatus(`unable to upgrade connection: container not found (${JSON.stringify(spec.name)})`));
    return { message() {}, closed() {} };
  }
  // The kubelet's first message: an empty frame on the lowest channel the client reads, "connected".
  if (!resumed) socket.send(frame(session.stdout ? channel.stdout : session.stderr && !session.tty ? channel.stderr : channel.error, ''));
  const sink: ExecSink = {
    stdout: (text) => { if (!finished && session.stdout) socket.send(frame(channel.stdout, text)); },
    stderr: (text) => { if (!finished && session.stderr) socket.send(frame(channel.stderr, text)); },
    exit: (code) => finish(exitStatus(code, session.command)),
  };
  const now = () => registry.now().getTime();
  const shell = session.attach ? interactiveShell(input) : undefined;
  // Attach reports no exit code (the kubelet's attach ends in Success when the process ends).
  const attached: ExecSink = { ...sink, exit: () => finish(exitStatus(0, [])) };
  // The attached shell is the container's process: when it exits, so does the container.
  const containerID = containerStatuses(pod).find((s) => s.name === spec.name)?.containerID ?? '';
  const shellExited: ExecSink = { ...attached, exit: (code) => { void recordContainerExit(registry, def, pod, spec.name, containerID, code).finally(() => attached.exit(code)); } };
  const layer = nodeLayer(registry, pod, spec, sharedMountsLayer(writableLayer(start.layerKey), start.mounts));
  const api = session.api;
  const network = networkLoader(registry, pod, reach && api ? (call) => callApiServer(reach.loopback, api, call) : undefined);
  const process: ExecSession = shell && session.stdin ? startExec({ argv: shell, stdin: true, tty: session.tty, input, now, resumed, layer, network }, shellExited)
    : session.attach ? followContainer(registry, def, session.namespace, pod, spec, input, attached, networkLoader(registry, pod))
    : startExec({ argv: session.command, stdin: session.stdin, tty: session.tty, input, now, resumed, layer, network }, sink);
  let received = 0;
  return {
    message(data) {
      if (finished || !data.length) return;
      received += data.length;
      // Input is bounded: a session that sends more than any exec'd command here reads is ended.
      if (received > 4 * maxStdinBytes) { process.stop(); finish(internalErrorStatus('the exec session sent more input than this server accepts')); return; }
      const ch = data[0];
      if (ch === channel.stdin && session.stdin) process.stdin(data.subarray(1));
      else if (ch === channel.close && data[1] === channel.stdin && session.protocol === 'v5.channel.k8s.io') process.closeStdin();
      // Resize (4) changes nothing: output is not laid out to a width.
    },
    closed() { process.stop(); finished = true; },
  };
}

/** The largest answer a pod's process reads from the API server (a list of a large cluster is cut there). */
const maxApiAnswerBytes = 1 << 20;

/** One request from a pod's process to the API server, through the entry's loopback. */
async function callApiServer(loopback: Loopback, api: ApiPlace, call: ApiCall): Promise<ApiAnswer> {
  const response = await loopback(new Request(`${api.base}${call.target.startsWith('/') ? call.target : `/${call.target}`}`, {
    method: call.method, headers: call.headers, ...(call.body !== undefined && call.method !== 'GET' && call.method !== 'HEAD' ? { body: call.body } : {}),
  }));
  const headers: Array<[string, string]> = [];
  response.headers.forEach((value, name) => headers.push([name, value]));
  const body = await response.text();
  return { status: response.status, headers, body: body.length > maxApiAnswerBytes ? body.slice(0, maxApiAnswerBytes) : body };
}

/**
 * A process's writes: under a hostPath mount they are the node's (kept in the store, seen by
 * the kubelet and every later pod on that node); anywhere else, the container's writable layer.
 */
function nodeLayer(registry: Registry, pod: PodView, spec: ContainerSpec, layer: FileLayer): FileLayer {
  const node = pod.spec.nodeName;
  const mounted = pod as unknown as Parameters<typeof hostWritesOf>[0];
  if (!node || !(mounted.spec.volumes ?? []).some((v) => v.hostPath !== undefined)) return layer;
  let chain: Promise<unknown> = Promise.resolve();
  return {
    write(path, content) {
      const writes = hostWritesOf(mounted, spec, [{ path, content }]);
      if (!writes) return layer.write(path, content);
      if (JSON.stringify(writes).length > maxNodeStateBytes) return false;
      for (const [on, w] of writes) chain = chain.then(() => applyHostWrites(registry, on || node, w)).catch(() => undefined);
      return true;
    },
    mkdir: (path) => layer.mkdir(path),
    settled: () => chain.then(() => undefined),
  };
}

/**
 * Starts a session again from its token on a socket whose process is gone (a Durable Object
 * that hibernated while the session waited for input). What it had in memory (a line being
 * typed, files an interactive shell wrote) is lost, as after a container restart; a pod that
 * went away ends it with the kubelet's error.
 */
export async function resumeSession(registry: Registry, token: string, socket: StreamSocket, reach?: ApiReach): Promise<StreamListener> {
  const session = JSON.parse(token) as SessionSpec;
  const def = registry.catalog.find(session.group, session.version, session.resource);
  let pod: PodView | undefined;
  try { pod = def ? ((await registry.get(def, session.namespace, session.pod)) as PodView) : undefined; } catch { pod = undefined; }
  if (!def || !pod || !pod.spec.nodeName) {
    socket.send(frame(channel.error, JSON.stringify(internalErrorStatus(`unable to upgrade connection: container not found (${JSON.stringify(session.container)})`))));
    socket.close(1000, '');
    return { message() {}, closed() {} };
  }
  return openSession(registry, def, session, await sessionStart(registry, def, session, pod, reach), socket, true, reach);
}

/** Real ms between looks at an attached container. */
const followPollMs = 250;

/**
 * An attached client sees what the container prints from now on (its program's timeline,
 * as `logs -f` reads it) until the container stops. Its stdin goes nowhere: only a shell on
 * a held-open stdin reads one, and that is attached to as an exec'd shell instead.
 */
function followContainer(registry: Registry, def: ResourceDef, namespace: string | undefined, pod: PodView, spec: ContainerSpec, input: ProgramInput, sink: ExecSink, network: () => Promise<LoadingNetworkView>): ExecSession {
  const status = (p: PodView) => containerStatuses(p).find((s) => s.name === spec.name);
  const first = status(pod);
  const running = Date.parse(first?.state.running?.startedAt ?? '');
  const startedAt = running || registry.now().getTime();
  // The run this container instance made (a command that reached the network printed what it met then).
  const loading = containerProgram(input, Number.isNaN(running) ? undefined : { podUID: pod.metadata.uid ?? '', container: spec.name, startedAt }, network);
  let program: Program | undefined;
  let cursor = registry.now().getTime();
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const poll = async () => {
    if (stopped) return;
    if (!program) {
      program = await loading;
      // A command that ends (`kubectl run -i … -- wget -qO- web`) is shown whole: its process had its
      // stdout before the client was attached, and finished in less time than attaching takes here.
      if (program.ending.kind === 'exit') cursor = startedAt;
    }
    let current: PodView | undefined;
    try { current = (await registry.get(def, namespace, pod.metadata.name!)) as PodView; } catch { current = undefined; }
    if (stopped) return;
    const now = status(current ?? pod);
    const same = current && current.metadata.uid === pod.metadata.uid && now?.containerID === first?.containerID;
    const terminated = same ? now?.state.terminated : undefined;
    // A process that ended ends the attach even where no kubelet reports it (its node's kubelet is stopped).
    const exited = !terminated && program.ending.kind === 'exit' && registry.now().getTime() >= startedAt + program.durationMs + 1000
      ? { finishedAt: new Date(startedAt + program.durationMs).toISOString(), exitCode: program.ending.code } : undefined;
    const ended = terminated ?? exited;
    const until = ended ? Date.parse(ended.finishedAt) + 1000 : registry.now().getTime();
    for (const line of linesBetween(program, startedAt, cursor, until)) sink.stdout(`${line.text}\n`);
    cursor = Math.max(cursor, until);
    if (!same) { stopped = true; sink.exit(0); return; }
    if (ended) { stopped = true; sink.exit(ended.exitCode ?? 0); return; }
    timer = setTimeout(() => void poll(), followPollMs);
  };
  timer = setTimeout(() => void poll(), followPollMs);
  return { stdin() {}, closeStdin() {}, stop() { stopped = true; clearTimeout(timer); } };
}
