import { imageBase, imageDefault } from './imageOutput.ts';
import { runShell } from './shell.ts';
import type { NetworkView } from './network.ts';
import type { Program, ProgramInput } from './timeline.ts';

/**
 * The program a container runs, decided from its image, command and args: the
 * image's own output (imageOutput.ts) or its command line read by the shell
 * (shell.ts), as a timeline (timeline.ts). `network`: the cluster network its commands reach
 * (networkPrograms.ts); without one, a network command is a process that runs on.
 */
export function programFor(input: ProgramInput, network?: NetworkView): Program {
  // A shell with no script reads its stdin: held open (kubectl run -it), it waits for what an attached client types.
  if (interactiveShell(input)) return { prefix: [], durationMs: 0, ending: { kind: 'forever' } };
  const argv = input.command?.length ? [...input.command, ...(input.args ?? [])] : input.args?.length ? input.args : undefined;
  if (!argv) return imageDefault(input);
  const base = argv[0].split('/').pop()!;
  // Flags alone go to the image's own entrypoint (coredns -conf …); so do nginx's own command lines.
  if (base.startsWith('-') || base === 'docker-entrypoint.sh' || (base === 'nginx' && imageBase(input.image) === 'nginx')) return imageDefault(input);
  const { out, elapsed, ending, fileEvents } = runShell(argv, input, network);
  // A process that exits still takes a moment; `echo` is not instantaneous either.
  return { prefix: out, durationMs: elapsed + (ending.kind === 'exit' ? 100 : 0), ending, ...(fileEvents.length ? { fileEvents } : {}) };
}

/** Images whose own command (CMD) is a shell. */
const shellImages = new Set(['busybox', 'alpine', 'ubuntu', 'debian']);

/**
 * The shell a container runs on its held-open stdin (spec.stdin: `kubectl run -it --image=busybox`,
 * with or without `-- sh`), if it does: what `kubectl attach -i` talks to.
 */
export function interactiveShell(input: ProgramInput): string[] | undefined {
  if (!input.openStdin) return undefined;
  const argv = input.command?.length ? [...input.command, ...(input.args ?? [])] : input.args?.length ? input.args : shellImages.has(imageBase(input.image)) ? ['sh'] : [];
  const base = argv[0]?.split('/').pop() ?? '';
  return ['sh', 'bash', 'ash'].includes(base) && !argv.includes('-c') ? argv : undefined;
}
