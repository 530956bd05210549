import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SqsBatchResponse, SqsEvent, SqsRecord } from './sqsEvents.ts';

/**
 * What Lambda's SQS event source mapping does, for a Node host (`npm run start:aws-local`,
 * `QUEUE=sqs npm run start:node`, tests): long-polls the queue, hands each batch to the
 * function's SQS path as `event.Records`, and deletes the records that did not come back in
 * `batchItemFailures`. A failed record stays on the queue and is received again when its
 * visibility ends; after the redrive policy's maxReceiveCount SQS moves it to the
 * dead-letter queue. So the code under test is the Lambda handler's own.
 */

export interface SqsPollerOptions {
  client: SQSClient;
  queueUrl: string;
  /** The function's SQS path. */
  handler(event: SqsEvent): Promise<SqsBatchResponse>;
  /** Long-poll wait (SQS allows 0–20 s). */
  waitTimeSeconds?: number;
  /** Batches handled at once (Lambda would run several instances). */
  concurrency?: number;
  onError?(error: unknown): void;
}

export interface SqsPoller {
  /** Records handed to the handler so far. */
  readonly received: number;
  stop(): Promise<void>;
}

export function toRecord(message: Message, queueArn: string): SqsRecord {
  const messageAttributes: SqsRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = { stringValue: value.StringValue, dataType: value.DataType ?? 'String' };
  }
  return {
    messageId: message.MessageId!, receiptHandle: message.ReceiptHandle!, body: message.Body ?? '',
    attributes: { ...message.Attributes }, messageAttributes, md5OfBody: message.MD5OfBody,
    eventSource: 'aws:sqs', eventSourceARN: queueArn,
  };
}

export function startSqsPoller(options: SqsPollerOptions): SqsPoller {
  const abort = new AbortController();
  const state = { received: 0 };
  const queueArn = `arn:aws:sqs:local:000000000000:${options.queueUrl.split('/').pop()}`;
  const lane = async () => {
    while (!abort.signal.aborted) {
      try {
        const out = await options.client.send(new ReceiveMessageCommand({
          QueueUrl: options.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: options.waitTimeSeconds ?? 20,
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'], MessageAttributeNames: ['All'],
        }), { abortSignal: abort.signal });
        const messages = out.Messages ?? [];
        if (!messages.length) continue;
        state.received += messages.length;
        const records = messages.map((m) => toRecord(m, queueArn));
        const response = await options.handler({ Records: records });
        const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
        const done = records.filter((r) => !failed.has(r.messageId));
        if (done.length) {
          await options.client.send(new DeleteMessageBatchCommand({
            QueueUrl: options.queueUrl, Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
          }));
        }
      } catch (error) {
        if (abort.signal.aborted) return;
        options.onError?.(error);
        await new Promise((r) => setTimeout(r, 1000)); // the queue is unreachable: do not spin
      }
    }
  };
  const lanes = Array.from({ length: options.concurrency ?? 2 }, lane);
  return {
    get received() { return state.received; },
    async stop() {
      abort.abort();
      await Promise.allSettled(lanes);
    },
  };
}
