import type { QueueMessage } from '../ports.ts';

/**
 * The SQS side of a Lambda invocation, with no SDK: what the event source mapping hands the
 * function (`event.Records`, eventSource `aws:sqs`) and the partial batch response it reads
 * back (ReportBatchItemFailures). Both the Lambda entry and the local poller, which plays the
 * event source mapping on a developer's machine, go through `consumeSqsEvent`.
 */

export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: { ApproximateReceiveCount?: string; SentTimestamp?: string; [name: string]: string | undefined };
  messageAttributes: Record<string, { stringValue?: string; dataType: string } | undefined>;
  eventSource: 'aws:sqs';
  eventSourceARN?: string;
  awsRegion?: string;
  md5OfBody?: string;
}

export interface SqsEvent {
  Records: SqsRecord[];
}

export interface SqsBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

/** The message attribute that carries a delivery time beyond SQS's 15-minute delay cap. */
export const notBeforeAttribute = 'apiserverless-not-before';

export function isSqsEvent(event: unknown): event is SqsEvent {
  if (typeof event !== 'object' || event === null || !('Records' in event)) return false;
  const records = (event as { Records: unknown }).Records;
  return Array.isArray(records) && records.length > 0 && records.every((r) => typeof r === 'object' && r !== null && (r as { eventSource?: unknown }).eventSource === 'aws:sqs');
}

/** A body we sent: anything else is poison, left to fail until the redrive policy moves it to the dead-letter queue. */
export function decodeBody(body: string): QueueMessage {
  const message = JSON.parse(body) as unknown;
  if (typeof message !== 'object' || message === null || typeof (message as { cluster?: unknown }).cluster !== 'string') {
    throw new Error('not an apiserverless queue message');
  }
  return message as QueueMessage;
}

export interface SqsConsumer {
  /** The control plane's entry (handleMessage). */
  handle(message: QueueMessage): Promise<void>;
  /** Sends a message again to arrive in `delaySeconds` (a wake-up further off than SQS can delay). */
  requeue(message: QueueMessage, delaySeconds: number, notBefore: number): Promise<void>;
  /**
   * Makes a failed record visible again after `seconds` rather than after the queue's whole
   * visibility timeout (best effort; the queue's timeout applies if this fails).
   */
  retryAfter?(record: SqsRecord, seconds: number): Promise<void>;
  now(): number;
  onError?(error: unknown, record: SqsRecord): void;
}

/** Backoff of a failed record: 1, 2, 4 … seconds by receive count, at most a minute. */
const retryBackoffSeconds = (receiveCount: number) => Math.min(60, 2 ** Math.max(0, receiveCount - 1));

/**
 * Runs every record of a batch at once (the control plane folds a cluster's events into a
 * few passes) and reports the ones that failed, so only those are delivered again: the rest
 * are deleted by the event source mapping. Success of one record never depends on another.
 */
export async function consumeSqsEvent(event: SqsEvent, consumer: SqsConsumer): Promise<SqsBatchResponse> {
  const failed = await Promise.all(event.Records.map(async (record) => {
    try {
      const message = decodeBody(record.body);
      const notBefore = Number(record.messageAttributes[notBeforeAttribute]?.stringValue ?? 0);
      const early = notBefore - consumer.now();
      if (early > 0) await consumer.requeue(message, early / 1000, notBefore);
      else await consumer.handle(message);
      return undefined;
    } catch (error) {
      consumer.onError?.(error, record);
      const receives = Number(record.attributes.ApproximateReceiveCount ?? 1);
      await consumer.retryAfter?.(record, retryBackoffSeconds(receives)).catch(() => {});
      return record.messageId;
    }
  }));
  return { batchItemFailures: failed.filter((id): id is string => id !== undefined).map((itemIdentifier) => ({ itemIdentifier })) };
}
