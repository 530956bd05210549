import type { Queue, QueueMessage } from '../ports.ts';
import type { CloudflareQueue } from '../types/cloudflare.ts';

/** The Queue port on Cloudflare Queues (a real producer binding). */
export function cloudflareQueue(binding: CloudflareQueue<QueueMessage>): Queue {
  return {
    async send(message, options = {}) {
      // Cloudflare Queues allow delays of up to 12 hours.
      const delaySeconds = options.delaySeconds ? Math.min(Math.ceil(options.delaySeconds), 43_200) : undefined;
      await binding.send(message, delaySeconds ? { delaySeconds, contentType: 'json' } : { contentType: 'json' });
    },
  };
}
