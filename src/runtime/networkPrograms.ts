import { late, withinDeadline } from '../apimachinery/deadline.ts';
import type { LoadingNetworkView } from './network.ts';
import { programFor } from './programs.ts';
import type { Program, ProgramInput } from './timeline.ts';

/**
 * A container whose own command reaches the network (`kubectl run t --image=busybox
 * --restart=Never -- wget -qO- web`, `sh -c 'nslookup web; sleep 3600'`): its program is run
 * once against the cluster network as it is when the container has started, and that run is
 * kept for the container's life, so the kubelet (when it exits), `kubectl logs` and an
 * attached client (what it printed) read the same outcome. Keyed by the pod's uid, the
 * container and its start time: a restarted container runs again and may meet another network.
 *
 * Kept in this process's memory, bounded; a process that lacks a run (a restarted one, another
 * Lambda, an evicted Durable Object) runs it again against the network as it is then.
 */

/** A command line that may reach the network: only these wait for a reading of the cluster's objects. */
export const usesNetwork = (line: readonly string[]) => line.some((word) => /\b(?:nslookup|wget|curl|nc|ping)\b/.test(word));

/** Runs of a command after the containers it reached were read (each run may reach more). */
export const maxNetworkPasses = 3;

/** Whether a container's own command line reaches the network. */
export function programUsesNetwork(input: Pick<ProgramInput, 'command' | 'args'>): boolean {
  return usesNetwork([...(input.command ?? []), ...(input.args ?? [])]);
}

/** Runs `run` with the view, again after each reading of the containers it reached. */
export async function runOnNetwork<T>(load: () => Promise<LoadingNetworkView>, run: (view: LoadingNetworkView) => T, stopped = () => false): Promise<T> {
  const view = await load();
  let result = run(view);
  for (let pass = 1; pass < maxNetworkPasses && view.pending() && !stopped(); pass++) {
    await view.loadPending();
    result = run(view);
  }
  return result;
}

/** What the kept runs may hold in all (a fetched page can be a ConfigMap's megabyte), oldest dropped first. */
const maxKept = 2_000;
const maxKeptBytes = 16 * 1024 * 1024;
const kept = new Map<string, { program: Program; bytes: number }>();
let keptBytes = 0;

/** Roughly what a run holds: the text it prints (a line computed at print time counts as a short one). */
const sizeOf = (program: Program) => [...program.prefix, ...(program.ending.kind === 'loop' ? program.ending.body : [])]
  .reduce((n, t) => n + (typeof t.text === 'string' ? t.text.length : 64) + 32, 0)
  + (program.fileEvents ?? []).reduce((n, e) => n + (e.content?.length ?? 0) + e.path.length, 0);

/** Keeps a run; one too large to keep is kept as the command without a network (it runs on), so it is not run again each pass. */
function keep(key: string, program: Program, input: ProgramInput): Program {
  let bytes = sizeOf(program);
  if (bytes > maxKeptBytes / 4) { program = programFor(input); bytes = sizeOf(program); }
  while (kept.size >= maxKept || keptBytes + bytes > maxKeptBytes) {
    const [oldest, entry] = kept.entries().next().value!;
    kept.delete(oldest);
    keptBytes -= entry.bytes;
  }
  kept.set(key, { program, bytes });
  keptBytes += bytes;
  return program;
}

/** How long a container's command may wait for its reading of the network. */
const networkReadMs = 10_000;

const keyOf = (podUID: string, container: string, startedAt: number) => `${podUID}/${container}/${startedAt}`;

/** The run kept for this container's start, if this process made it. */
export function keptNetworkProgram(podUID: string, container: string, startedAt: number): Program | undefined {
  return kept.get(keyOf(podUID, container, startedAt))?.program;
}

/**
 * The container's program for the run that started at `startedAt`: the kept one, or (its command
 * reaches the network) one run now against `load`'s view and kept, or the plain program.
 */
export async function containerProgram(input: ProgramInput, run: { podUID: string; container: string; startedAt: number } | undefined, load: () => Promise<LoadingNetworkView>): Promise<Program> {
  if (!run || !programUsesNetwork(input)) return programFor(input);
  const key = keyOf(run.podUID, run.container, run.startedAt);
  const found = kept.get(key);
  if (found) return found.program;
  let program: Program;
  // A network that cannot be read (or not in time: the kubelet's pass must not wait on it) leaves the command as a
  // program without one, that runs on, as before.
  try {
    const reached = await withinDeadline(runOnNetwork(load, (view) => programFor(input, view)), networkReadMs);
    program = reached === late ? programFor(input) : reached;
  } catch {
    program = programFor(input);
  }
  return keep(key, program, input);
}
