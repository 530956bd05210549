import { late, withinDeadline } from '../apimachinery/deadline.ts';
import type { QueueMessage } from '../ports.ts';
import type { QueueMessageEnvelope } from '../types/cloudflare.ts';

/**
 * How the Worker's queue consumer hands a batch of change events to the clusters' Durable
 * Objects. A batch holds many clusters' messages and the queue delivers the next batch only
 * when this one is done: one cluster whose object never answers (a pass awaiting something that
 * never settles) would stop every cluster's scheduler, kubelets and controllers with it. So each
 * message has a deadline: past it, it is let go (retried later, and logged with its cluster, so
 * the stuck one is named), and the batch ends with the others handled.
 */
export const messageDeadlineMs = 30_000;

export async function dispatchBatch(
  messages: ReadonlyArray<QueueMessageEnvelope<QueueMessage>>,
  deliver: (message: QueueMessage) => Promise<Response>,
  options: { deadlineMs?: number; log?: (line: string) => void } = {},
): Promise<void> {
  const deadlineMs = options.deadlineMs ?? messageDeadlineMs;
  const log = options.log ?? ((line: string) => console.error(line));
  await Promise.all(messages.map(async (message) => {
    try {
      const outcome = await withinDeadline(deliver(message.body), deadlineMs);
      if (outcome === late) {
        const what = 'kind' in message.body ? message.body.kind : `${message.body.type} ${message.body.resource}`;
        log(`queue: the ${what} message for cluster "${message.body.cluster}" was not handled within ${deadlineMs / 1000} s; it is retried later and the batch goes on`);
        message.retry({ delaySeconds: 5 });
        return;
      }
      if (!outcome.ok) throw new Error(`cluster object answered ${outcome.status}`);
      message.ack();
    } catch {
      message.retry({ delaySeconds: 1 });
    }
  }));
}
