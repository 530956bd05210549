import type { CriContainer, UnitState } from './nodeFiles.ts';
import type { MountPoint } from './volumes.ts';
/**
 * What a container does, as a timeline: timed output lines, then an exit code or
 * "runs forever" (possibly looping). The kubelet reads exits from it; `kubectl logs`
 * reads the lines. Nothing runs: a container's output is a pure function of its
 * start time.
 */

export interface LogLine { at: number; text: string }

export type Ending =
  | { kind: 'exit'; code: number }
  | { kind: 'forever' }
  /** `while true; do …; done`: `body` repeats every periodMs, forever. */
  | { kind: 'loop'; body: TimedText[]; periodMs: number };

/** Output at an offset from the start; `text` may depend on the absolute time (date, nginx's log stamps). */
export interface TimedText { offsetMs: number; text: string | ((atMs: number) => string); stderr?: boolean }

/** A file written (content) or removed (null) by the program, at an offset from its start. */
export interface FileEvent { offsetMs: number; path: string; content: string | null }

export interface Program {
  /** Lines printed before the ending. */
  prefix: TimedText[];
  /** How long the finite part takes. */
  durationMs: number;
  ending: Ending;
  /** Files the finite part writes or removes (`touch /tmp/healthy; sleep 30; rm /tmp/healthy`), in time order. */
  fileEvents?: FileEvent[];
}

export interface ProgramInput {
  image: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string }>;
  /** Pod name (hostname) and IP, for programs that print them. */
  hostname: string;
  podIP?: string;
  /** The container's mounted files (path → content) and mount directories (volumes.ts). */
  files?: Record<string, string>;
  dirs?: string[];
  /** The volumes mounted in it (`mount`, `df`). */
  mounts?: MountPoint[];
  /**
   * An exec'd process (kubectl exec): what came in on its stdin (`cat` with no file reads it), and
   * a command the shell does not know is `not found` (127) rather than a server that runs forever;
   * `now`: the wall-clock ms it starts at (what `date > file` writes).
   */
  exec?: { stdin?: string; now?: number };
  /** The container's stdin is held open (spec.stdin, as `kubectl run -i` sets it): a shell reading it waits for input. */
  openStdin?: boolean;
  /** The node's root is mounted (a hostPath `/`, as `kubectl debug node/…` mounts it at /host): `chroot` there reaches the node's own commands. */
  host?: HostRoot;
}

/**
 * A node's root filesystem mounted in a container, and what its own commands (systemctl, crictl)
 * report; `peers`: the cluster's other nodes, which `ssh` reaches from it (host network).
 */
export interface HostRoot { mountPath: string; node: string; units: Record<string, UnitState>; containers: CriContainer[]; peers?: Record<string, HostPeer> }

/** Another node as `ssh` finds it: its files, units and containers. */
export interface HostPeer { files: Record<string, string>; units: Record<string, UnitState>; containers: CriContainer[] }

/** The container's files at an offset from its start: its mounts, then what the program wrote by then. */
export function filesAt(program: Program, input: Pick<ProgramInput, 'files'>, offsetMs: number): Record<string, string> {
  const files = { ...input.files };
  for (const e of program.fileEvents ?? []) {
    if (e.offsetMs > offsetMs) break;
    if (e.content === null) delete files[e.path];
    else files[e.path] = e.content;
  }
  return files;
}

/** When the container exits, ms after it started (undefined: never). */
export function exitOf(program: Program): { afterMs: number; code: number } | undefined {
  return program.ending.kind === 'exit' ? { afterMs: program.durationMs, code: program.ending.code } : undefined;
}

/** Output lines with absolute times in [fromMs, toMs), for a container started at startMs. */
export function linesBetween(program: Program, startMs: number, fromMs: number, toMs: number): LogLine[] {
  const out: LogLine[] = [];
  const render = (t: TimedText, at: number) => ({ at, text: typeof t.text === 'function' ? t.text(at) : t.text });
  for (const t of program.prefix) {
    const at = startMs + t.offsetMs;
    if (at >= fromMs && at < toMs) out.push(render(t, at));
  }
  const { ending } = program;
  if (ending.kind === 'loop' && ending.body.length) {
    const loopStart = startMs + program.durationMs;
    const first = Math.max(0, Math.floor((fromMs - loopStart) / ending.periodMs));
    // Bounded: a log request never renders more than 100k loop lines.
    for (let i = first, n = 0; n < 100_000; i++) {
      const base = loopStart + i * ending.periodMs;
      if (base >= toMs) break;
      for (const t of ending.body) {
        const at = base + t.offsetMs;
        if (at >= fromMs && at < toMs) { out.push(render(t, at)); n++; }
      }
    }
  }
  return out;
}
