import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { startSqsLocal, type LocalQueues, type SqsLocal } from '../harness/sqsLocal.ts';
import { startNodeServer, type TestServer } from '../harness/server.ts';
import { handleMessage } from '../src/controlplane/index.ts';
import type { ChangeEvent, QueueMessage } from '../src/ports.ts';
import { SqsQueue } from '../src/queue/sqs.ts';
import { consumeSqsEvent, notBeforeAttribute, type SqsEvent } from '../src/queue/sqsEvents.ts';
import { startSqsPoller, type SqsPoller } from '../src/queue/sqsPoller.ts';
import type { Pod } from '../src/registry/resources/pods.ts';
import { parse } from 'yaml';
import { eventually } from './helpers/eventually.ts';

/**
 * The Queue port on SQS and the Lambda handler's SQS path, against a real local SQS
 * (fauxqs): sends arrive, failures are partial, poison goes to the dead-letter queue,
 * duplicates change nothing. The poller plays Lambda's event source mapping.
 */

let sqs: SqsLocal;
let client: SQSClient;
let queueCount = 0;
before(async () => { sqs = await startSqsLocal(); client = sqs.client(); });
after(async () => { client.destroy(); await sqs.stop(); });

const fresh = (options?: { visibilityTimeoutSeconds?: number; maxReceiveCount?: number }) => sqs.createQueues(`q${++queueCount}`, options);

async function receiveAll(queueUrl: string, until: (bodies: string[]) => boolean): Promise<string[]> {
  const bodies: string[] = [];
  await eventually(async () => {
    const out = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    bodies.push(...(out.Messages ?? []).map((m) => m.Body ?? ''));
    return bodies;
  }, until, `messages on ${queueUrl}`);
  return bodies;
}

async function queueEmpty(queueUrl: string): Promise<boolean> {
  const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }));
  const a = out.Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible) + Number(a.ApproximateNumberOfMessagesDelayed) === 0;
}

const wake = (name: string): QueueMessage => ({ kind: 'wake', cluster: 'test', group: '', resource: 'pods', namespace: 'default', name });

/** A consumer over a poller, counting what the handler saw by message name. */
function consume(queues: LocalQueues, queue: SqsQueue, handle: (message: QueueMessage) => Promise<void>) {
  const seen = new Map<string, number>();
  const handler = (event: SqsEvent) => consumeSqsEvent(event, {
    handle: async (message) => {
      const name = 'name' in message ? message.name : message.kind;
      seen.set(name, (seen.get(name) ?? 0) + 1);
      await handle(message);
    },
    requeue: (message, delay, notBefore) => queue.requeue(message, delay, notBefore),
    retryAfter: (record, seconds) => queue.retryAfter(record, seconds),
    now: () => Date.now(),
  });
  const poller = startSqsPoller({ client, queueUrl: queues.queueUrl, handler, waitTimeSeconds: 1 });
  return { seen, poller };
}

describe('SQS queue port and the Lambda SQS path (local SQS)', () => {
  it('every write of the API sends its change event; sends in one turn leave as batches of at most ten', async () => {
    const queues = await fresh();
    const queue = new SqsQueue({ client, queueUrl: queues.queueUrl });
    const server = await startNodeServer({ queue });
    try {
      const def = server.catalog.find('', 'v1', 'configmaps')!;
      await server.registry().create(def, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } } as never);
      const bodies = await receiveAll(queues.queueUrl, (b) => b.some((x) => x.includes('"settings"')));
      const event = bodies.map((b) => JSON.parse(b) as ChangeEvent).find((e) => e.name === 'settings')!;
      assert.deepEqual({ ...event, revision: 0 }, { cluster: 'default', group: '', resource: 'configmaps', namespace: 'default', name: 'settings', type: 'ADDED', revision: 0 });
      assert.ok(event.revision > 0);

      const batchesBefore = queue.batches;
      await Promise.all(Array.from({ length: 25 }, (_, i) => queue.send(wake(`m${i}`))));
      assert.equal(queue.batches - batchesBefore, 3);
      const all = await receiveAll(queues.queueUrl, (b) => new Set(b.filter((x) => x.includes('"wake"'))).size === 25);
      assert.equal(new Set(all.filter((x) => x.includes('"wake"'))).size, 25);
    } finally {
      await server.close();
    }
  });

  it('a failing record is reported alone: it comes back, the others of its batch do not', async () => {
    // A visibility timeout far longer than the test: a quick redelivery can only come from the consumer's backoff.
    const queues = await fresh({ visibilityTimeoutSeconds: 600 });
    const queue = new SqsQueue({ client, queueUrl: queues.queueUrl });
    let failures = 0;
    const { seen, poller } = consume(queues, queue, async (message) => {
      if ('name' in message && message.name === 'flaky' && failures++ === 0) throw new Error('first try fails');
    });
    try {
      await Promise.all(['a', 'flaky', 'c'].map((n) => queue.send(wake(n))));
      await eventually(async () => seen.get('flaky') ?? 0, (n) => n >= 2, 'the failed record to come back');
      await eventually(() => queueEmpty(queues.queueUrl), (empty) => empty, 'the queue to empty');
      assert.equal(seen.get('a'), 1);
      assert.equal(seen.get('c'), 1);
      assert.equal(seen.get('flaky'), 2);
    } finally {
      await poller.stop();
    }
  });

  it('a poison message lands in the dead-letter queue after maxReceiveCount receives', async () => {
    const queues = await fresh({ visibilityTimeoutSeconds: 600, maxReceiveCount: 2 });
    const queue = new SqsQueue({ client, queueUrl: queues.queueUrl });
    const { seen, poller } = consume(queues, queue, async (message) => {
      if ('name' in message && message.name === 'poison') throw new Error('always fails');
    });
    try {
      await queue.send(wake('poison'));
      await queue.send(wake('fine'));
      const dead = await receiveAll(queues.deadLetterQueueUrl, (b) => b.length > 0);
      assert.deepEqual(dead.map((b) => JSON.parse(b) as QueueMessage), [wake('poison')]);
      assert.equal(seen.get('poison'), 2);
      assert.equal(seen.get('fine'), 1);
    } finally {
      await poller.stop();
    }
  });

  it('a body that is no message of ours fails too, and so ends in the dead-letter queue', async () => {
    const queues = await fresh({ visibilityTimeoutSeconds: 600, maxReceiveCount: 1 });
    const queue = new SqsQueue({ client, queueUrl: queues.queueUrl });
    const { poller } = consume(queues, queue, async () => {});
    try {
      await queue.send({ not: 'ours' } as unknown as QueueMessage);
      const dead = await receiveAll(queues.deadLetterQueueUrl, (b) => b.length > 0);
      assert.deepEqual(dead, ['{"not":"ours"}']);
    } finally {
      await poller.stop();
    }
  });

  it('duplicated events change nothing: the pod is scheduled and started once', async () => {
    const queues = await fresh({ visibilityTimeoutSeconds: 30 });
    const queue = new SqsQueue({ client, queueUrl: queues.queueUrl });
    let server: TestServer | undefined;
    let poller: SqsPoller | undefined;
    try {
      server = await startNodeServer({ queue });
      const ctx = { ports: server.ports, catalog: server.catalog };
      const handled = { count: 0 };
      poller = startSqsPoller({
        client, queueUrl: queues.queueUrl, waitTimeSeconds: 1,
        handler: (event) => consumeSqsEvent(event, {
          handle: async (message) => { await handleMessage(ctx, message); handled.count++; },
          requeue: (message, delay, notBefore) => queue.requeue(message, delay, notBefore),
          now: () => Date.now(),
        }),
      });
      const registry = server.registry();
      const podDef = server.catalog.find('', 'v1', 'pods')!;
      const eventDef = server.catalog.find('', 'v1', 'events')!;
      await registry.create(podDef, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } as never);
      const running = await eventually(async () => (await registry.get(podDef, 'default', 'web')) as Pod, (p) => p.status?.phase === 'Running', 'the pod to run');
      const settled = async () => {
        await eventually(() => queueEmpty(queues.queueUrl), (empty) => empty, 'the queue to empty');
        return server!.ports.store.cluster('default').currentRevision();
      };
      const revision = await settled();

      const before = handled.count;
      const added: ChangeEvent = { cluster: 'default', group: '', resource: 'pods', namespace: 'default', name: 'web', type: 'ADDED', revision: Number(running.metadata.resourceVersion) };
      await Promise.all([...Array.from({ length: 5 }, () => queue.send(added)), queue.send({ ...added, type: 'MODIFIED' }), queue.send({ kind: 'resync', cluster: 'default' })]);
      await eventually(async () => handled.count - before, (n) => n >= 7, 'the duplicates to be handled');
      assert.equal(await settled(), revision, 'the duplicates wrote nothing');
      const pod = (await registry.get(podDef, 'default', 'web')) as Pod;
      assert.equal(pod.spec?.nodeName, running.spec?.nodeName);
      assert.equal(pod.status?.phase, 'Running');
      const scheduled = (await registry.list(eventDef, 'default')).items.filter((e) => (e as { reason?: string }).reason === 'Scheduled');
      assert.equal(scheduled.length, 1);
    } finally {
      await poller?.stop();
      await server?.close();
    }
  });

  it('a wake-up further off than SQS can delay (15 minutes) waits on the queue, not in the handler', async () => {
    const queues = await fresh();
    const queue = new SqsQueue({ client, queueUrl: queues.queueUrl });
    await queue.send(wake('far'), { delaySeconds: 3600 });
    const delayed = await client.send(new GetQueueAttributesCommand({ QueueUrl: queues.queueUrl, AttributeNames: ['ApproximateNumberOfMessagesDelayed'] }));
    assert.equal(delayed.Attributes?.ApproximateNumberOfMessagesDelayed, '1');

    // What the consumer does with such a message when SQS hands it over before it is due: sends it on.
    const notBefore = Date.now() + 2_000;
    const handled: QueueMessage[] = [];
    const response = await consumeSqsEvent({
      Records: [{
        messageId: 'm1', receiptHandle: 'r1', body: JSON.stringify(wake('early')), attributes: { ApproximateReceiveCount: '1' },
        messageAttributes: { [notBeforeAttribute]: { stringValue: String(notBefore), dataType: 'Number' } }, eventSource: 'aws:sqs',
      }],
    }, { handle: async (m) => { handled.push(m); }, requeue: (m, d, n) => queue.requeue(m, d, n), now: () => Date.now() });
    assert.deepEqual(response, { batchItemFailures: [] });
    assert.deepEqual(handled, []);
    const bodies = await receiveAll(queues.queueUrl, (b) => b.length > 0);
    assert.deepEqual(bodies.map((b) => JSON.parse(b) as QueueMessage), [wake('early')]);
    assert.ok(Date.now() >= notBefore - 1_000, 'the requeued message waited on the queue');
  });

  it('infra/lambda.yaml: a standard queue redriving to its dead-letter queue, partial batch responses, SQS rights scoped to the queue', () => {
    type Resource = { Type: string; Properties: Record<string, unknown> };
    const template = parse(readFileSync(new URL('../infra/lambda.yaml', import.meta.url), 'utf8')) as { Resources: Record<string, Resource> };
    const { EventsQueue, ControlPlane, ControlPlaneEvents, ApiServer } = template.Resources;
    assert.equal(EventsQueue.Type, 'AWS::SQS::Queue');
    assert.equal(EventsQueue.Properties.FifoQueue, undefined);
    assert.deepEqual(EventsQueue.Properties.RedrivePolicy, { deadLetterTargetArn: { 'Fn::GetAtt': ['EventsDeadLetterQueue', 'Arn'] }, maxReceiveCount: { Ref: 'MaxReceiveCount' } });
    assert.ok(Number(EventsQueue.Properties.VisibilityTimeout) >= 6 * Number(ControlPlane.Properties.Timeout));
    assert.deepEqual(ControlPlaneEvents.Properties.FunctionResponseTypes, ['ReportBatchItemFailures']);
    assert.deepEqual(ControlPlaneEvents.Properties.FunctionName, { Ref: 'ControlPlane' });
    // Each function's rights are its role's inline policies.
    const role = (fn: Resource) => template.Resources[(fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]];
    const sqsStatements = (fn: Resource) => (role(fn).Properties.Policies as Array<{ PolicyDocument: { Statement: Array<{ Action: string[]; Resource: unknown }> } }>)
      .flatMap((p) => p.PolicyDocument.Statement).filter((s) => s.Action.some((a) => a.startsWith('sqs:')));
    assert.ok(sqsStatements(ControlPlane).length && sqsStatements(ApiServer).length);
    for (const s of [...sqsStatements(ApiServer), ...sqsStatements(ControlPlane)]) assert.deepEqual(s.Resource, { 'Fn::GetAtt': ['EventsQueue', 'Arn'] });
    assert.deepEqual(sqsStatements(ApiServer).flatMap((s) => s.Action), ['sqs:SendMessage']);
  });
});
