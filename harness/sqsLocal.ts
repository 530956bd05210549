import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { localCredentials, localRegion } from './dynamodbLocal.ts';

/**
 * A local SQS for tests and `npm run start:aws-local`: fauxqs (npm), an in-memory SQS
 * emulator that speaks the AWS JSON protocol (`X-Amz-Target: AmazonSQS.*`) that current
 * @aws-sdk/client-sqs sends, with long polling, visibility timeouts, per-message delays,
 * batches and redrive to a dead-letter queue. It starts in a fraction of a second inside
 * the calling process, so each test file (process) runs its own; nothing is shared.
 *
 * Pinned at 1.9.2: fauxqs 2.x needs Node 22.5 (it imports node:sqlite at load) and the
 * machines run Node 20. It listens on loopback only (fauxqs's own startFauxqs binds every
 * interface), and queue URLs name the address the request came to.
 */

export interface SqsLocal {
  endpoint: string;
  client(): SQSClient;
  /** Creates a standard queue and its dead-letter queue, with the redrive policy infra/lambda.yaml declares. */
  createQueues(name: string, options?: { visibilityTimeoutSeconds?: number; maxReceiveCount?: number }): Promise<LocalQueues>;
  stop(): Promise<void>;
}

export interface LocalQueues { queueUrl: string; deadLetterQueueUrl: string; maxReceiveCount: number }

export function localSqsClient(endpoint: string): SQSClient {
  return new SQSClient({ endpoint, region: localRegion, credentials: localCredentials });
}

export async function startSqsLocal(): Promise<SqsLocal> {
  const app = buildApp({ logger: false });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const endpoint = address.replace('localhost', '127.0.0.1');
  const admin = localSqsClient(endpoint);
  return {
    endpoint,
    client: () => localSqsClient(endpoint),
    async createQueues(name, options = {}) {
      const maxReceiveCount = options.maxReceiveCount ?? 5;
      const dlq = await admin.send(new CreateQueueCommand({ QueueName: `${name}-dlq`, Attributes: { MessageRetentionPeriod: '1209600' } }));
      const arn = (await admin.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
      const queue = await admin.send(new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 30),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount }),
        },
      }));
      return { queueUrl: queue.QueueUrl!, deadLetterQueueUrl: dlq.QueueUrl!, maxReceiveCount };
    },
    async stop() {
      admin.destroy();
      await app.close();
    },
  };
}
