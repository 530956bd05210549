import type { Handler } from 'hono';
import { handleResource } from '../server/handlers.ts';
import type { SubresourceHandlers } from '../server/subresource.ts';
import type { PipelineEnv } from './context.ts';

/**
 * Step 9, the resource's REST verb on the generic registry. What a write goes through
 * from here is the registry's own order: mutating admission, the kind's validation,
 * validating admission, the store (compare-and-swap), then the change event to the queue.
 */
export const serveResource = (subresources: SubresourceHandlers): Handler<PipelineEnv> => (c) =>
  handleResource(c, c.get('registry'), c.get('def'), c.get('resourceRequest'), subresources, c.get('documents'));
