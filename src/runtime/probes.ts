import { serverPorts } from './serverPorts.ts';
import { runShell } from './shell.ts';
import { filesAt, type Program, type ProgramInput } from './timeline.ts';

/**
 * Liveness, readiness and startup probes on the simulated timeline. A probe's
 * result is a pure function of the container's program and time: an exec probe
 * runs its command in the shell against the files the program had written by
 * then; httpGet and tcpSocket succeed against the ports a known server image
 * listens on. Results change only where the program changes its files, so the
 * kubelet computes when a threshold is crossed instead of probing.
 */

export interface Probe {
  exec?: { command?: string[] };
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string };
  tcpSocket?: { port: number | string; host?: string };
  grpc?: { port: number };
  initialDelaySeconds?: number; periodSeconds?: number; timeoutSeconds?: number; successThreshold?: number; failureThreshold?: number;
}
export type ProbeKind = 'liveness' | 'readiness' | 'startup';
export interface ProbeContext {
  program: Program;
  input: ProgramInput;
  ports?: Array<{ name?: string; containerPort: number }>;
  /** A stagger (ms) so two containers' probes never fall at the same instant, as the kubelet's jitter does. */
  jitterMs: number;
}
export interface ProbeResult { ok: boolean; output: string }

const portOf = (port: number | string, ctx: ProbeContext) =>
  (typeof port === 'number' ? port : ctx.ports?.find((p) => p.name === port)?.containerPort ?? (Number.parseInt(port, 10) || 0));

/** The probe's result at `offsetMs` into the container's run, with prober.go's output. */
export function probeAt(probe: Probe, ctx: ProbeContext, offsetMs: number): ProbeResult {
  if (probe.exec) {
    const run = runShell(probe.exec.command ?? [], { ...ctx.input, files: filesAt(ctx.program, ctx.input, offsetMs) });
    const output = run.out.map((t) => (typeof t.text === 'string' ? t.text : '')).join('\n');
    return { ok: run.ending.kind === 'exit' && run.code === 0, output };
  }
  const ports = serverPorts(ctx.input);
  const ip = ctx.input.podIP ?? '';
  if (probe.httpGet) {
    const port = portOf(probe.httpGet.port, ctx);
    const path = probe.httpGet.path || '/';
    const scheme = (probe.httpGet.scheme ?? 'HTTP').toLowerCase();
    const host = probe.httpGet.host || ip;
    if (!Object.hasOwn(ports, port)) return { ok: false, output: `Get "${scheme}://${host}:${port}${path}": dial tcp ${host}:${port}: connect: connection refused` };
    return ports[port].includes(path) ? { ok: true, output: '' } : { ok: false, output: 'HTTP probe failed with statuscode: 404' };
  }
  const port = portOf(probe.tcpSocket?.port ?? probe.grpc?.port ?? 0, ctx);
  const host = probe.tcpSocket?.host || ip;
  return Object.hasOwn(ports, port) ? { ok: true, output: '' } : { ok: false, output: `dial tcp ${host}:${port}: connect: connection refused` };
}

export interface ProbeStep { at: number; result: ProbeResult }

/**
 * The probe's results from `from` on, for a container started at `startedAt`: probe k
 * runs at startedAt + initialDelay + k·period (+ jitter), those before `from` skipped.
 * Ends once results can no longer change (after the program's last file change) and
 * `settle` more probes have run; bounded in any case.
 */
export function* probeSteps(probe: Probe, ctx: ProbeContext, startedAt: number, from: number, settle: number): Generator<ProbeStep> {
  const period = Math.max(1, probe.periodSeconds ?? 10) * 1000;
  const first = startedAt + (probe.initialDelaySeconds ?? 0) * 1000 + ctx.jitterMs;
  const lastChange = startedAt + Math.max(0, ...(ctx.program.fileEvents ?? []).map((e) => e.offsetMs));
  let k = Math.max(0, Math.ceil((from - first) / period));
  let settled = 0;
  for (let n = 0; n < 100_000; n++, k++) {
    const at = first + k * period;
    yield { at, result: probeAt(probe, ctx, at - startedAt) };
    if (at > lastChange && ++settled >= settle) return;
  }
}

export const failureThreshold = (probe: Probe) => Math.max(1, probe.failureThreshold ?? 3);
export const successThreshold = (probe: Probe) => Math.max(1, probe.successThreshold ?? 1);

/** The failing probes that end a container (liveness or startup), from `from` on: the threshold-th consecutive failure and those before it. */
export function fatalFailures(probe: Probe, ctx: ProbeContext, startedAt: number, from: number): ProbeStep[] | undefined {
  const threshold = failureThreshold(probe);
  let streak: ProbeStep[] = [];
  for (const step of probeSteps(probe, ctx, startedAt, from, threshold)) {
    streak = step.result.ok ? [] : [...streak, step];
    if (streak.length >= threshold) return streak;
  }
  return undefined;
}

/** When a startup probe first succeeds (successThreshold is 1 for startup probes), from `from` on. */
export function firstSuccess(probe: Probe, ctx: ProbeContext, startedAt: number, from: number): number | undefined {
  for (const step of probeSteps(probe, ctx, startedAt, from, 1)) if (step.result.ok) return step.at;
  return undefined;
}

export interface ReadinessPoint { at: number; ready: boolean; failure?: string }

/**
 * Where readiness says something new, after `after`: the ready state flips (after
 * successThreshold successes or failureThreshold failures), or a run of failures
 * begins (the first failed probe is reported). Ready starts false.
 */
export function nextReadinessPoint(probe: Probe, ctx: ProbeContext, startedAt: number, from: number, after: number): ReadinessPoint | undefined {
  let ready = false, ok = 0, bad = 0, previousOk = true;
  const failures = failureThreshold(probe), successes = successThreshold(probe);
  for (const step of probeSteps(probe, ctx, startedAt, from, failures + successes)) {
    const was: boolean = ready;
    if (step.result.ok) { ok++; bad = 0; if (ok >= successes) ready = true; } else { bad++; ok = 0; if (bad >= failures) ready = false; }
    const beginsFailing = !step.result.ok && previousOk;
    previousOk = step.result.ok;
    if (step.at > after && (ready !== was || beginsFailing)) return { at: step.at, ready, ...(step.result.ok ? {} : { failure: step.result.output }) };
  }
  return undefined;
}
