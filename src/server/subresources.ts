import { handleBinding } from './binding.ts';
import { handleEviction } from './eviction.ts';
import { handleAttach, handleExec } from './exec.ts';
import { handleLog } from './logs.ts';
import { handlePortForward } from './portforward.ts';
import { handleScale } from './scale.ts';
import type { SubresourceHandlers } from './subresource.ts';

/** The subresources this server serves beyond `status`, by the name in the URL. */
export const builtinSubresources: SubresourceHandlers = {
  attach: handleAttach,
  binding: handleBinding,
  eviction: handleEviction,
  exec: handleExec,
  log: handleLog,
  portforward: handlePortForward,
  scale: handleScale,
};
