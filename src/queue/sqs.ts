import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import type { Queue, QueueMessage } from '../ports.ts';
import { notBeforeAttribute, type SqsRecord } from './sqsEvents.ts';

/**
 * The Queue port on Amazon SQS (AWS Lambda, or any Node host with QUEUE=sqs).
 *
 * A standard queue, not FIFO, on purpose:
 * - the control plane is level-triggered: a message only says "look at cluster X again",
 *   and a pass reads current state and writes with compare-and-swap, so order carries no
 *   meaning and a duplicate costs one pass that writes nothing (SQS standard queues deliver
 *   at least once and may reorder; that is exactly what the consumers already accept);
 * - wake-ups need a delay per message, which FIFO queues do not offer (only a queue-wide one);
 * - FIFO would cap each cluster's group at one message in flight and ask for deduplication
 *   ids, and a poison message would hold up its whole cluster until it is redriven.
 * The periodic resync (the EventBridge schedule) repairs whatever a lost event left behind.
 *
 * Sends made in the same turn of the event loop (a controller's pass writes many objects
 * at once) leave as one SendMessageBatch of up to ten; each send resolves when SQS has
 * taken its own entry. SQS delays by at most 15 minutes: a later wake-up carries its due
 * time in a message attribute, and the consumer sends it on again until it is due.
 */

/** SQS's limits: ten entries and 1 MiB a batch (we stay well under), delays of at most 900 s. */
const maxBatchEntries = 10;
const maxBatchBytes = 200_000;
export const maxDelaySeconds = 900;

interface Pending {
  message: QueueMessage;
  body: string;
  delaySeconds: number;
  notBefore?: number;
  resolve(): void;
  reject(error: Error): void;
}

export interface SqsQueueOptions {
  client: SQSClient;
  queueUrl: string;
  now?: () => number;
}

export class SqsQueue implements Queue {
  private pending: Pending[] = [];
  private flushing = false;
  /** Entries SQS has accepted (tests and benchmarks read it). */
  sent = 0;
  /** SendMessageBatch calls made. */
  batches = 0;

  constructor(private readonly options: SqsQueueOptions) {}

  get client(): SQSClient { return this.options.client; }
  get queueUrl(): string { return this.options.queueUrl; }

  send(message: QueueMessage, options: { delaySeconds?: number } = {}): Promise<void> {
    const wanted = Math.max(0, options.delaySeconds ?? 0);
    const now = (this.options.now ?? Date.now)();
    const delaySeconds = Math.min(maxDelaySeconds, Math.ceil(wanted));
    const notBefore = wanted > maxDelaySeconds ? now + Math.round(wanted * 1000) : undefined;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ message, body: JSON.stringify(message), delaySeconds, notBefore, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // setImmediate, not a microtask: a pass's writes await one another's stores between sends.
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Sends again to arrive by `notBefore` (the consumer's half of delays beyond 15 minutes). */
  requeue(message: QueueMessage, delaySeconds: number, notBefore: number): Promise<void> {
    const left = Math.max(0, notBefore - (this.options.now ?? Date.now)()) / 1000;
    return this.send(message, { delaySeconds: Math.max(delaySeconds, left) });
  }

  /** Makes a received message visible again in `seconds` (a quicker retry than the queue's timeout). */
  async retryAfter(record: Pick<SqsRecord, 'receiptHandle'>, seconds: number): Promise<void> {
    await this.options.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.options.queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: Math.round(seconds) }));
  }

  private async flush(): Promise<void> {
    const taken = this.pending;
    this.pending = [];
    this.flushing = false;
    await Promise.all(batchesOf(taken).map((batch) => this.sendBatch(batch)));
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    const entries: SendMessageBatchRequestEntry[] = batch.map((p, i) => ({
      Id: String(i), MessageBody: p.body, DelaySeconds: p.delaySeconds || undefined,
      MessageAttributes: p.notBefore === undefined ? undefined : { [notBeforeAttribute]: { DataType: 'Number', StringValue: String(p.notBefore) } },
    }));
    try {
      this.batches++;
      const out = await this.options.client.send(new SendMessageBatchCommand({ QueueUrl: this.options.queueUrl, Entries: entries }));
      const failed = new Map((out.Failed ?? []).map((f) => [f.Id, f]));
      batch.forEach((p, i) => {
        const failure = failed.get(String(i));
        if (failure) p.reject(new Error(`SQS refused a message: ${failure.Code} ${failure.Message ?? ''}`));
        else { this.sent++; p.resolve(); }
      });
    } catch (error) {
      for (const p of batch) p.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

function batchesOf(pending: Pending[]): Pending[][] {
  const out: Pending[][] = [];
  let current: Pending[] = [];
  let bytes = 0;
  for (const p of pending) {
    if (current.length === maxBatchEntries || (current.length && bytes + p.body.length > maxBatchBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(p);
    bytes += p.body.length;
  }
  if (current.length) out.push(current);
  return out;
}
