import { curl, wget } from './httpClients.ts';
import { nc, networkTools, ping, type ToolContext, type ToolRun } from './netTools.ts';
import { nslookup } from './nslookup.ts';

/** The network commands by name: what the shell runs when an image ships one (netTools.ts says which). */
const commands: Record<string, (ctx: ToolContext) => ToolRun> = { nslookup, wget, curl, nc, ping };

/** Whether `name` is a network command this image has. */
export const hasNetworkCommand = (image: string, name: string) => Object.hasOwn(commands, name) && networkTools(image).includes(name);

export function runNetworkCommand(name: string, ctx: ToolContext): ToolRun {
  return commands[name](ctx);
}
