import { imageBase, imageDefault } from './imageOutput.ts';
import { runShell } from './shell.ts';
import type { Program, ProgramInput } from './timeline.ts';

/**
 * The program a container runs, decided from its image, command and args: the
 * image's own output (imageOutput.ts) or its command line read by the shell
 * (shell.ts), as a timeline (timeline.ts).
 */
export function programFor(input: ProgramInput): Program {
  const argv = input.command?.length ? [...input.command, ...(input.args ?? [])] : input.args?.length ? input.args : undefined;
  if (!argv) return imageDefault(input);
  const base = argv[0].split('/').pop()!;
  // Flags alone go to the image's own entrypoint (coredns -conf …); so do nginx's own command lines.
  if (base.startsWith('-') || base === 'docker-entrypoint.sh' || (base === 'nginx' && imageBase(input.image) === 'nginx')) return imageDefault(input);
  const { out, elapsed, ending, fileEvents } = runShell(argv, input);
  // A process that exits still takes a moment; `echo` is not instantaneous either.
  return { prefix: out, durationMs: elapsed + (ending.kind === 'exit' ? 100 : 0), ending, ...(fileEvents.length ? { fileEvents } : {}) };
}
