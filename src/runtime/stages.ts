import { hex64, goDuration, type ImageInfo } from './images.ts';
import { exitOf, type Program, type ProgramInput } from './timeline.ts';
import { fatalFailures, firstSuccess, nextReadinessPoint, type Probe, type ProbeContext, type ProbeKind, type ProbeStep } from './probes.ts';
import { oomKilled } from './usage.ts';
import type { RunnableContainer } from './container.ts';
import { timestamp } from '../apimachinery/time.ts';

/**
 * A container's lifecycle as data (after KWOK's stages): each stage says which
 * recorded state it applies to, when it fires (computed from timestamps already
 * in the status, never from when the kubelet happens to look), and the next
 * state with the events the real kubelet records on that transition. The
 * kubelet (kubelet.ts) is a small interpreter that fires due stages in time
 * order, so late, duplicated or reordered deliveries reach the same status.
 */

export interface Terminated { exitCode: number; reason: string; message?: string; startedAt: string; finishedAt: string; containerID?: string }
export interface ContainerState {
  waiting?: { reason: string; message?: string };
  running?: { startedAt: string };
  terminated?: Terminated;
}
export interface ContainerStatus {
  name: string;
  state: ContainerState;
  lastState: ContainerState;
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  started?: boolean;
  containerID?: string;
}

export interface ContainerSpec extends RunnableContainer {
  imagePullPolicy?: string;
  restartPolicy?: string;
  livenessProbe?: Probe; readinessProbe?: Probe; startupProbe?: Probe;
  ports?: Array<{ name?: string; containerPort: number }>;
}

/** What a stage sees of one container. */
export interface ContainerView {
  spec: ContainerSpec;
  status: ContainerStatus;
  init: boolean;
  /** An init container with restartPolicy Always (a sidecar). */
  sidecar: boolean;
  image: ImageInfo;
  program: Program;
  /** What the program was made from: env, files, expanded command line. */
  input: ProgramInput;
  /** Why the container cannot be created now (its volumes or its env), if so. */
  blocked?: { kind: 'mount' | 'config'; message: string };
  /** The pod's latest readiness probe already reported (ms), so no report is repeated. */
  probedAt?: number;
  /** Its probes' offset from the kubelet's other probe workers. */
  jitterMs: number;
  /** When it may start (ms); undefined while earlier init containers still run. */
  since?: number;
  podRestartPolicy: string;
  podUID: string;
  /** `name_namespace(uid)`, as kubelet messages name a pod. */
  podRef: string;
}

export interface EventDraft { type: 'Normal' | 'Warning'; reason: string; message: string; at: number }
export interface Transition { status: ContainerStatus; events: EventDraft[]; /** A readiness probe result reported at this time. */ probedAt?: number }

export interface ContainerStage {
  name: string;
  applies(c: ContainerView): boolean;
  /** When it fires, in ms; `now` only locates the current round of a repeating schedule. */
  due(c: ContainerView, now: number): number | undefined;
  next(c: ContainerView, at: number): Transition;
}

const ms = (t: string | undefined) => (t ? Date.parse(t) : NaN);
/** The pause between a state and the kubelet's next sync noticing it. */
const syncMs = 1_000;
/** The crash-loop back-off before restart number restartCount+1: 0, 10s, 20s, … 5m. */
const restartBackoffMs = (restartCount: number) => (restartCount === 0 ? 0 : Math.min(10_000 * 2 ** (restartCount - 1), 300_000));
/** The image pull back-off after failed attempt k: 10s, 20s, … 5m. */
const pullBackoffMs = (k: number) => Math.min(10_000 * 2 ** k, 300_000);

const fresh = (c: ContainerView) => {
  const reason = c.status.state.waiting?.reason;
  return (reason === 'ContainerCreating' || reason === 'PodInitializing') && c.since !== undefined;
};
/** Waiting for a ConfigMap or Secret (or a key of one) its env names. */
const configWaiting = (c: ContainerView) => c.status.state.waiting?.reason === 'CreateContainerConfigError' && c.since !== undefined;

/** Does a container that exited with `code` start again? */
export function restarts(c: Pick<ContainerView, 'init' | 'sidecar' | 'podRestartPolicy'>, code: number): boolean {
  if (c.sidecar) return true;
  if (c.init) return code !== 0 && c.podRestartPolicy !== 'Never';
  return c.podRestartPolicy === 'Always' || (c.podRestartPolicy === 'OnFailure' && code !== 0);
}

export const containerID = (c: ContainerView, restartCount: number) => `containerd://${hex64(`${c.podUID}/${c.spec.name}/${restartCount}`)}`;

/** The events of getting an image ready, ending at `at`. */
function pullEvents(c: ContainerView, at: number, restart: boolean): EventDraft[] {
  const image = c.spec.image ?? '';
  const info = c.image;
  if (info.status !== 'ok') return [];
  const pull = c.spec.imagePullPolicy === 'Always' || (!restart && c.spec.imagePullPolicy !== 'Never');
  if (!pull) return [{ type: 'Normal', reason: 'Pulled', message: `Container image "${image}" already present on machine and can be accessed by the pod`, at }];
  const took = goDuration(info.pullMs);
  return [
    { type: 'Normal', reason: 'Pulling', message: `Pulling image "${image}"`, at: at - info.pullMs },
    { type: 'Normal', reason: 'Pulled', message: `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: ${info.size} bytes.`, at },
  ];
}

function started(c: ContainerView, at: number, restartCount: number, lastState: ContainerState, restart: boolean): Transition {
  const info = c.image;
  return {
    status: {
      ...c.status, state: { running: { startedAt: timestamp(at) } }, lastState, restartCount,
      // Ready once a readiness probe says so; started once a startup probe does.
      ready: (!c.init || c.sidecar) && !c.spec.readinessProbe && !c.spec.startupProbe, started: (!c.init || c.sidecar) && !c.spec.startupProbe,
      image: info.status === 'ok' ? info.normalized : c.status.image, imageID: info.status === 'ok' ? info.imageID : '',
      containerID: containerID(c, restartCount),
    },
    events: [
      ...pullEvents(c, at, restart),
      { type: 'Normal', reason: 'Created', message: 'Container created', at },
      { type: 'Normal', reason: 'Started', message: 'Container started', at },
    ],
  };
}

/**
 * Failed pulls of a missing image, as a schedule from `since`: attempt k fails at
 * f(k) = since + pull, then f(k) + back-off(k) + pull, … The status in between is
 * ErrImagePull for a sync period, then ImagePullBackOff.
 */
function pullFailures(c: ContainerView, until: number): number[] {
  const pull = c.image.status === 'missing' ? c.image.pullMs : 0;
  const out: number[] = [];
  for (let f = c.since! + pull, k = 0; out.length < 10_000; k++) {
    out.push(f);
    if (f > until) break;
    f += pullBackoffMs(k) + pull;
  }
  return out;
}

function pullFailed(c: ContainerView, at: number): Transition {
  const info = c.image as Extract<ImageInfo, { status: 'missing' }>;
  const image = c.spec.image ?? '';
  return {
    status: { ...c.status, state: { waiting: { reason: 'ErrImagePull', message: info.error } }, ready: false, started: false },
    events: [
      { type: 'Normal', reason: 'Pulling', message: `Pulling image "${image}"`, at: at - info.pullMs },
      { type: 'Warning', reason: 'Failed', message: `Failed to pull image "${image}": ${info.error}`, at },
      { type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull', at },
    ],
  };
}

/** The declared stages, first match wins. */
const containerStages: ContainerStage[] = [
  {
    name: 'invalid-image',
    applies: (c) => fresh(c) && c.image.status === 'invalid',
    due: (c) => c.since,
    next: (c, at) => {
      const error = c.image.status === 'invalid' ? c.image.error : '';
      return {
        status: { ...c.status, state: { waiting: { reason: 'InvalidImageName', message: error } } },
        events: [
          { type: 'Warning', reason: 'InspectFailed', message: error, at },
          { type: 'Warning', reason: 'Failed', message: 'Error: InvalidImageName', at },
        ],
      };
    },
  },
  {
    name: 'pull-failed',
    applies: (c) => c.since !== undefined && c.image.status === 'missing' && (fresh(c) || c.status.state.waiting?.reason === 'ImagePullBackOff'),
    due(c, now) {
      if (fresh(c)) return c.since! + (c.image.status === 'missing' ? c.image.pullMs : 0);
      // The next failure after the one whose back-off we are in.
      const failures = pullFailures(c, now);
      const current = failures.filter((f) => f + syncMs <= now).pop();
      return failures.find((f) => current === undefined || f > current);
    },
    next: pullFailed,
  },
  {
    name: 'pull-backoff',
    applies: (c) => c.status.state.waiting?.reason === 'ErrImagePull' && c.since !== undefined,
    due: (c, now) => {
      const failures = pullFailures(c, now);
      return (failures.filter((f) => f <= now).pop() ?? failures[0]) + syncMs;
    },
    next: (c, at) => {
      const image = c.spec.image ?? '';
      const error = c.image.status === 'missing' ? c.image.error : '';
      return {
        status: { ...c.status, state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}": ErrImagePull: ${error}` } } },
        events: [
          { type: 'Normal', reason: 'BackOff', message: `Back-off pulling image "${image}"`, at },
          { type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff', at },
        ],
      };
    },
  },
  {
    name: 'config-error',
    applies: (c) => fresh(c) && c.image.status === 'ok' && c.blocked?.kind === 'config',
    due: (c) => c.since! + (c.image.status === 'ok' ? c.image.pullMs : 0),
    next: (c, at) => ({
      status: { ...c.status, state: { waiting: { reason: 'CreateContainerConfigError', message: c.blocked!.message } } },
      events: [...pullEvents(c, at, false), { type: 'Warning', reason: 'Failed', message: `Error: ${c.blocked!.message}`, at }],
    }),
  },
  {
    name: 'start',
    applies: (c) => fresh(c) && c.image.status === 'ok' && !c.blocked,
    due: (c) => c.since! + (c.image.status === 'ok' ? c.image.pullMs : 0),
    next: (c, at) => started(c, at, 0, {}, false),
  },
  {
    // The kubelet retries as soon as it sees the ConfigMap or Secret (the write wakes it).
    name: 'config-fixed',
    applies: (c) => configWaiting(c) && !c.blocked,
    due: (_c, now) => now,
    next: (c, at) => started(c, at, 0, {}, true),
  },
  {
    name: 'running',
    applies: (c) => !!c.status.state.running,
    due: (c) => runningEvent(c)?.due,
    next: (c, at) => runningEvent(c)!.next(at),
  },
  {
    name: 'restart',
    applies: (c) => !!c.status.state.terminated && restarts(c, c.status.state.terminated.exitCode) && restartBackoffMs(c.status.restartCount) === 0,
    due: (c) => ms(c.status.state.terminated!.finishedAt) + syncMs,
    next: (c, at) => started(c, at, c.status.restartCount + 1, { terminated: c.status.state.terminated! }, true),
  },
  {
    name: 'crash-loop',
    applies: (c) => !!c.status.state.terminated && restarts(c, c.status.state.terminated.exitCode),
    due: (c) => ms(c.status.state.terminated!.finishedAt) + syncMs,
    next: (c, at) => {
      const backoff = restartBackoffMs(c.status.restartCount) / 1000;
      return {
        status: {
          ...c.status, lastState: { terminated: c.status.state.terminated! },
          state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${goDuration(backoff * 1000)} restarting failed container=${c.spec.name} pod=${c.podRef}` } },
        },
        events: [{ type: 'Warning', reason: 'BackOff', message: `Back-off restarting failed container ${c.spec.name} in pod ${c.podRef}`, at }],
      };
    },
  },
  {
    name: 'restart-after-backoff',
    applies: (c) => c.status.state.waiting?.reason === 'CrashLoopBackOff' && !!c.status.lastState.terminated,
    due: (c) => ms(c.status.lastState.terminated!.finishedAt) + restartBackoffMs(c.status.restartCount),
    next: (c, at) => started(c, at, c.status.restartCount + 1, c.status.lastState, true),
  },
];

/** How long a container takes to outgrow its memory limit. */
const oomMs = 1_500;

const probeContext = (c: ContainerView): ProbeContext => ({ program: c.program, input: c.input, ports: c.spec.ports, jitterMs: c.jitterMs });
const probeName: Record<ProbeKind, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

/** Killed: by the kernel (OOMKilled) or by the kubelet after a liveness or startup probe failed failureThreshold times. */
function killed(c: ContainerView, at: number, reason: string, events: EventDraft[]): Transition {
  const terminated: Terminated = { exitCode: 137, reason, startedAt: c.status.state.running!.startedAt, finishedAt: timestamp(at), containerID: c.status.containerID };
  return { status: { ...c.status, state: { terminated }, ready: false, started: false }, events };
}

function probeKill(c: ContainerView, kind: ProbeKind, failures: ProbeStep[]): (at: number) => Transition {
  return (at) => killed(c, at, 'Error', [
    ...failures.map((f): EventDraft => ({ type: 'Warning', reason: 'Unhealthy', message: `${probeName[kind]} probe failed: ${f.result.output}`, at: f.at })),
    { type: 'Normal', reason: 'Killing', message: `Container ${c.spec.name} failed ${kind} probe, will be restarted`, at },
  ]);
}

/**
 * The next thing that happens to a running container, computed from its start: it
 * exits, outgrows its memory limit, passes or fails its startup probe, fails its
 * liveness probe, or its readiness changes. Nothing, for a healthy server.
 */
function runningEvent(c: ContainerView): { due: number; next: (at: number) => Transition } | undefined {
  const start = ms(c.status.state.running!.startedAt);
  const ctx = probeContext(c);
  const candidates: Array<{ due: number; next: (at: number) => Transition }> = [];
  const exit = exitOf(c.program);
  if (exit) {
    candidates.push({ due: start + exit.afterMs, next: (at) => ({
      status: { ...c.status, state: { terminated: { exitCode: exit.code, reason: exit.code === 0 ? 'Completed' : 'Error', startedAt: c.status.state.running!.startedAt, finishedAt: timestamp(at), containerID: c.status.containerID } }, ready: false, started: false },
      events: [],
    }) });
  }
  if (oomKilled(c.input, c.spec.resources?.limits)) candidates.push({ due: start + oomMs, next: (at) => killed(c, at, 'OOMKilled', []) });
  let probesFrom: number | undefined = start;
  const startup = c.spec.startupProbe;
  if (startup && !c.status.started) {
    probesFrom = undefined;
    const fatal = fatalFailures(startup, ctx, start, start);
    const success = firstSuccess(startup, ctx, start, start);
    if (success !== undefined && (!fatal || success < fatal[fatal.length - 1].at)) {
      candidates.push({ due: success, next: () => ({ status: { ...c.status, started: true, ready: !c.spec.readinessProbe }, events: [] }) });
    } else if (fatal) candidates.push({ due: fatal[fatal.length - 1].at, next: probeKill(c, 'startup', fatal) });
  } else if (startup) {
    probesFrom = firstSuccess(startup, ctx, start, start) ?? start;
  }
  if (probesFrom !== undefined && c.spec.livenessProbe) {
    const fatal = fatalFailures(c.spec.livenessProbe, ctx, start, probesFrom);
    if (fatal) candidates.push({ due: fatal[fatal.length - 1].at, next: probeKill(c, 'liveness', fatal) });
  }
  if (probesFrom !== undefined && c.spec.readinessProbe) {
    const probe = c.spec.readinessProbe;
    let point = nextReadinessPoint(probe, ctx, start, probesFrom, c.probedAt ?? 0);
    // A probe that only confirms the recorded state needs no write (an idle ready pod writes nothing).
    while (point && point.ready === c.status.ready && point.failure === undefined) point = nextReadinessPoint(probe, ctx, start, probesFrom, point.at);
    const found = point;
    if (found) {
      candidates.push({ due: found.at, next: (at) => ({
        status: { ...c.status, ready: found.ready }, probedAt: at,
        events: found.failure === undefined ? [] : [{ type: 'Warning', reason: 'Unhealthy', message: `Readiness probe failed: ${found.failure}`, at }],
      }) });
    }
  }
  return candidates.sort((a, b) => a.due - b.due)[0];
}

/** The stage that applies to a container now, if any. */
export const stageFor = (c: ContainerView) => containerStages.find((s) => s.applies(c));
