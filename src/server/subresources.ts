import { handleBinding } from './binding.ts';
import { handleEviction } from './eviction.ts';
import { podStreamHandlers } from './exec.ts';
import { handleLog } from './logs.ts';
import { handlePortForward } from './portforward.ts';
import { handleScale } from './scale.ts';
import type { SubresourceHandlers } from './subresource.ts';

/** The subresources this server serves beyond `status`, by the name in the URL. */
export const builtinSubresources: SubresourceHandlers = {
  // Without the cluster's keys: an exec'd process's token file is not one the API server accepts (createApp passes them).
  ...podStreamHandlers(),
  binding: handleBinding,
  eviction: handleEviction,
  log: handleLog,
  portforward: handlePortForward,
  scale: handleScale,
};
