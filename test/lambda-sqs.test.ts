import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { sharedDynamoDBLocal } from '../harness/dynamodbLocal.ts';
import { testSecret } from '../harness/server.ts';
import { startSqsLocal, type LocalQueues, type SqsLocal } from '../harness/sqsLocal.ts';
import type { QueueMessage } from '../src/ports.ts';
import type { SqsBatchResponse, SqsEvent } from '../src/queue/sqsEvents.ts';
import { toRecord } from '../src/queue/sqsPoller.ts';
import { eventually } from './helpers/eventually.ts';

/**
 * The Lambda entry as deployed (src/entry/lambda.ts bundled by `npm run bundle:lambda`, the file
 * infra/lambda.yaml's functions run), loaded with the environment
 * infra/lambda.yaml gives it, against DynamoDB Local and a local SQS: the schedule's tick
 * sends the resync through SQS, and an SQS batch is answered with a partial batch response.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

let sqs: SqsLocal;
let client: SQSClient;
let queues: LocalQueues;
let handler: (event: unknown) => Promise<unknown>;

before(async () => {
  const [dynamodb, local] = await Promise.all([sharedDynamoDBLocal(), startSqsLocal()]);
  sqs = local;
  client = sqs.client();
  queues = await sqs.createQueues('lambda-events', { visibilityTimeoutSeconds: 60, maxReceiveCount: 3 });
  Object.assign(process.env, {
    JWT_SECRET: testSecret, STORE: 'dynamodb', DYNAMODB_ENDPOINT: dynamodb.endpoint, DYNAMODB_TABLE: `lambda-${randomBytes(4).toString('hex')}`,
    QUEUE: 'sqs', SQS_ENDPOINT: sqs.endpoint, SQS_QUEUE_URL: queues.queueUrl,
  });
  // What the Lambda Node.js runtime provides to response-streaming functions; only HTTP uses it.
  Object.assign(globalThis, { awslambda: { streamifyResponse: <F>(fn: F) => fn, HttpResponseStream: { from: <S>(stream: S) => stream } } });
  await promisify(execFile)('npm', ['run', 'bundle:lambda'], { cwd: root });
  ({ handler } = await import(join(root, 'dist', 'lambda', 'index.mjs')));
});

after(async () => {
  client.destroy();
  await sqs.stop();
  await (await sharedDynamoDBLocal()).stop();
});

/** Receives until a message satisfies `wanted` (the default cluster's bootstrap sent its writes' events before it). */
async function receive(wanted: (message: QueueMessage) => boolean): Promise<SqsEvent> {
  const records: SqsEvent['Records'] = [];
  await eventually(async () => {
    const out = await client.send(new ReceiveMessageCommand({ QueueUrl: queues.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount'], MessageAttributeNames: ['All'] }));
    records.push(...(out.Messages ?? []).map((m) => toRecord(m, 'arn:aws:sqs:us-east-1:000000000000:lambda-events')));
    return records;
  }, (all) => all.some((r) => wanted(JSON.parse(r.body) as QueueMessage)), 'the message wanted');
  return { Records: records.slice(-10) };
}

describe('the Lambda entry on SQS', () => {
  it('the tick sends the resync through SQS; a batch with one poison record reports only that one', async () => {
    assert.deepEqual(await handler({ apiserverless: 'tick' }), { ok: true });
    const isResync = (m: QueueMessage) => 'kind' in m && m.kind === 'resync';
    const event = await receive(isResync);
    const resync = event.Records.map((r) => JSON.parse(r.body) as QueueMessage).find(isResync);
    assert.deepEqual(resync, { kind: 'resync', cluster: 'default' });

    // A batch of at most ten, as the event source mapping sends: the resync, other events, and poison.
    const resyncRecord = event.Records.find((r) => isResync(JSON.parse(r.body) as QueueMessage))!;
    const others = event.Records.filter((r) => r !== resyncRecord).slice(0, 8);
    const poison = { ...resyncRecord, messageId: 'poison-1', receiptHandle: 'no-such-handle', body: 'not json' };
    const response = await handler({ Records: [resyncRecord, ...others, poison] }) as SqsBatchResponse;
    assert.deepEqual(response, { batchItemFailures: [{ itemIdentifier: 'poison-1' }] });
  });
});
