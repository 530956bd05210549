import type { Context } from 'hono';
import type { Registry } from '../registry/generic.ts';
import type { KubeObject, ResourceDef } from '../registry/types.ts';
import { containerProgram } from '../runtime/networkPrograms.ts';
import { networkLoader } from './clusterNetwork.ts';
import { prepareContainer, specInput } from '../runtime/container.ts';
import type { VolumePod } from '../runtime/volumes.ts';
import { podSources } from '../registry/podSources.ts';
import { linesBetween, type LogLine, type Program } from '../runtime/timeline.ts';
import type { ContainerSpec, ContainerStatus } from '../runtime/stages.ts';
import { ApiError, badRequest, methodNotAllowed } from '../apimachinery/errors.ts';
import type { ResourceRequest } from './requestInfo.ts';
import { queryBool, queryInt64 } from '../apimachinery/queryParams.ts';

/**
 * pods/log. Nothing is stored: a container's output is a function of its program
 * (runtime/programs.ts) and the start and finish times in its status, so the
 * text is computed for the instance asked for (current or --previous).
 * Errors read as kube-apiserver's LogLocation and the kubelet's
 * validateContainerLogStatus word them.
 */

interface PodView extends KubeObject {
  spec: { containers?: ContainerSpec[]; initContainers?: ContainerSpec[]; nodeName?: string };
  status?: { podIP?: string; containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
}

interface LogOptions { container?: string; previous: boolean; tailLines?: number; timestamps: boolean; follow: boolean; since?: number; limitBytes?: number }

/** Real seconds between looks at a followed container. */
const followPollMs = 200;

const boolParam = (c: Context, name: string) => queryBool(c.req.query(name));
const intParam = (c: Context, name: string) => queryInt64(c.req.query(name));

function options(c: Context, now: number): LogOptions {
  const sinceSeconds = intParam(c, 'sinceSeconds');
  const sinceTime = c.req.query('sinceTime');
  if (sinceSeconds !== undefined && sinceSeconds < 1) throw new ApiError(422, 'Invalid', `PodLogOptions "" is invalid: sinceSeconds: Invalid value: ${sinceSeconds}: must be greater than 0`);
  if (sinceTime && Number.isNaN(Date.parse(sinceTime))) throw badRequest(`invalid value for sinceTime: "${sinceTime}"`);
  const tail = intParam(c, 'tailLines');
  return {
    container: c.req.query('container') || undefined, previous: boolParam(c, 'previous'), timestamps: boolParam(c, 'timestamps'), follow: boolParam(c, 'follow'),
    tailLines: tail !== undefined && tail >= 0 ? tail : undefined, limitBytes: intParam(c, 'limitBytes'),
    since: sinceSeconds !== undefined ? now - sinceSeconds * 1000 : sinceTime ? Date.parse(sinceTime) : undefined,
  };
}

/** LogLocation's choice of container. */
function chooseContainer(pod: PodView, requested: string | undefined): { spec: ContainerSpec; init: boolean } {
  const name = pod.metadata.name!;
  const containers = pod.spec.containers ?? [], inits = pod.spec.initContainers ?? [];
  if (!requested) {
    if (containers.length === 1) return { spec: containers[0], init: false };
    if (!containers.length) throw badRequest(`a container name must be specified for pod ${name}`);
    let message = `a container name must be specified for pod ${name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`;
    if (inits.length) message += ` or one of the init containers: [${inits.map((c) => c.name).join(' ')}]`;
    throw badRequest(message);
  }
  const found = containers.find((c) => c.name === requested);
  if (found) return { spec: found, init: false };
  const init = inits.find((c) => c.name === requested);
  if (init) return { spec: init, init: true };
  throw badRequest(`container ${requested} is not valid for pod ${name}`);
}

/** The container instance whose log is asked for, or the kubelet's error. */
interface Instance { startedAt: number; finishedAt?: number; containerID?: string }

function instanceFor(pod: PodView, container: string, status: ContainerStatus | undefined, previous: boolean): Instance {
  const name = pod.metadata.name!;
  const fromTerminated = (t: NonNullable<ContainerStatus['state']['terminated']>) => ({ startedAt: Date.parse(t.startedAt), finishedAt: Date.parse(t.finishedAt), containerID: t.containerID });
  if (previous) {
    const last = status?.lastState?.terminated;
    if (!last?.containerID) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    return fromTerminated(last);
  }
  const state = status?.state ?? {};
  if (state.running) return { startedAt: Date.parse(state.running.startedAt), containerID: status!.containerID };
  if (state.terminated) return fromTerminated(state.terminated);
  if (status?.lastState?.terminated?.containerID) return fromTerminated(status.lastState.terminated);
  const reason = state.waiting?.reason ?? 'ContainerCreating';
  if (reason === 'ErrImagePull') throw badRequest(`container "${container}" in pod "${name}" is waiting to start: image can't be pulled`);
  if (reason === 'ImagePullBackOff') throw badRequest(`container "${container}" in pod "${name}" is waiting to start: trying and failing to pull image`);
  throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${reason}`);
}

const statusOf = (pod: PodView, container: string, init: boolean) =>
  (init ? pod.status?.initContainerStatuses : pod.status?.containerStatuses)?.find((s) => s.name === container);

/**
 * Where a finished instance's output ends. Status times have whole seconds, so a
 * program that ran to its exit printed all of its lines; one that was stopped
 * printed what it had by the (rounded-up) finish time.
 */
function finishedEnd(startedAt: number, finishedAt: number, program: Program): number {
  return program.ending.kind === 'exit' ? startedAt + program.durationMs + 1 : finishedAt + 1000;
}

/** RFC3339 with nanoseconds, as the container runtime stamps log lines. */
const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');

function render(lines: LogLine[], opts: LogOptions): string {
  return lines.map((l) => `${opts.timestamps ? `${stamp(l.at)} ` : ''}${l.text}\n`).join('');
}

export async function handleLog(c: Context, registry: Registry, def: ResourceDef, info: ResourceRequest, namespace: string | undefined): Promise<Response> {
  if (info.verb !== 'get') throw methodNotAllowed();
  const now = registry.now().getTime();
  const opts = options(c, now);
  const pod = (await registry.get(def, namespace, info.name!)) as PodView;
  const { spec, init } = chooseContainer(pod, opts.container);
  const headers = { 'Content-Type': 'text/plain', 'Content-Encoding': 'identity', 'Cache-Control': 'no-cache, private' };
  // An unscheduled pod has no kubelet to ask: the real server answers with nothing.
  if (!pod.spec.nodeName) return new Response('', { status: 200, headers });
  const instance = instanceFor(pod, spec.name, statusOf(pod, spec.name, init), opts.previous);
  // The env and files the container was started with (ConfigMaps and Secrets as they are now).
  const volumePod = pod as unknown as VolumePod;
  const prepared = prepareContainer(volumePod, spec, await podSources(registry, volumePod), pod.status?.podIP);
  // A command that reaches the network printed what it met when this instance started (runtime/networkPrograms.ts).
  const run = Number.isNaN(instance.startedAt) ? undefined : { podUID: pod.metadata.uid ?? '', container: spec.name, startedAt: instance.startedAt };
  const program = await containerProgram(prepared.error ? specInput(volumePod, spec, pod.status?.podIP) : prepared.input, run, networkLoader(registry, pod));
  const end = instance.finishedAt !== undefined ? finishedEnd(instance.startedAt, instance.finishedAt, program) : now + 1;
  let lines = linesBetween(program, instance.startedAt, Math.max(instance.startedAt, opts.since ?? 0), end);
  if (opts.tailLines !== undefined) lines = opts.tailLines ? lines.slice(-opts.tailLines) : [];
  let text = render(lines, opts);
  if (opts.limitBytes !== undefined && opts.limitBytes > 0) text = new TextDecoder().decode(new TextEncoder().encode(text).slice(0, opts.limitBytes));
  if (!opts.follow || instance.finishedAt !== undefined || opts.previous) return new Response(text, { status: 200, headers });

  // Follow: keep printing what the running instance prints, until it stops, the pod goes, or the client leaves.
  const encoder = new TextEncoder();
  const signal = c.req.raw.signal;
  let cursor = end;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** The client left (the stream was cancelled): a poll already under way sends nothing more. */
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (text) controller.enqueue(encoder.encode(text));
      const finish = () => { if (timer) clearTimeout(timer); try { controller.close(); } catch { /* already closed */ } };
      signal.addEventListener('abort', finish, { once: true });
      const poll = async () => {
        if (signal.aborted) return finish();
        let current: PodView | undefined;
        try {
          current = (await registry.get(def, namespace, info.name!)) as PodView;
        } catch {
          return finish();
        }
        if (cancelled) return;
        const status = statusOf(current, spec.name, init);
        const sameInstance = current.metadata.uid === pod.metadata.uid && (status?.containerID === instance.containerID || status?.state.terminated?.containerID === instance.containerID);
        const terminated = status?.state.terminated;
        const until = !sameInstance ? cursor : terminated ? finishedEnd(instance.startedAt, Date.parse(terminated.finishedAt), program) : registry.now().getTime() + 1;
        if (until > cursor) {
          const more = render(linesBetween(program, instance.startedAt, cursor, until), opts);
          cursor = until;
          if (more) controller.enqueue(encoder.encode(more));
        }
        if (!sameInstance || terminated || current.metadata.deletionTimestamp) return finish();
        timer = setTimeout(() => void poll(), followPollMs);
      };
      timer = setTimeout(() => void poll(), followPollMs);
    },
    cancel() { cancelled = true; if (timer) clearTimeout(timer); },
  });
  return new Response(stream, { status: 200, headers: { ...headers, 'Transfer-Encoding': 'chunked' } });
}
