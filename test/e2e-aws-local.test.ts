import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sharedDynamoDBLocal } from '../harness/dynamodbLocal.ts';
import { Kubectl } from '../harness/kubectl.ts';
import { testSecret, testTls } from '../harness/server.ts';
import { startSqsLocal, type SqsLocal } from '../harness/sqsLocal.ts';
import { serveHttps, type RunningServer } from '../src/entry/node.ts';
import { nodeRuntime } from '../src/entry/node-runtime.ts';
import { systemClock } from '../src/ports.ts';
import { SqsQueue } from '../src/queue/sqs.ts';
import { adminToken } from '../src/tenancy/admin.ts';
import { kubeconfig } from '../src/tenancy/kubeconfig.ts';
import { eventually } from './helpers/eventually.ts';

/**
 * The AWS setup on one machine, as `npm run start:aws-local` runs it: the Node entry (the
 * Lambda's runtime) on DynamoDB Local with its change events on a local SQS, consumed by a
 * poller that hands each batch to the Lambda handler's SQS path as the event source mapping
 * would. Real kubectl v1.35 creates a Deployment; its pods are scheduled and run.
 */

let sqs: SqsLocal;
let runtime: Awaited<ReturnType<typeof nodeRuntime>>;
let server: RunningServer;
let kubectl: Kubectl;

before(async () => {
  const [dynamodb, local] = await Promise.all([sharedDynamoDBLocal(), startSqsLocal()]);
  sqs = local;
  const queues = await sqs.createQueues('apiserverless-events', { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
  runtime = await nodeRuntime({
    STORE: 'dynamodb', DYNAMODB_ENDPOINT: dynamodb.endpoint, DYNAMODB_TABLE: `aws-local-${randomBytes(4).toString('hex')}`,
    QUEUE: 'sqs', SQS_ENDPOINT: sqs.endpoint, SQS_QUEUE_URL: queues.queueUrl,
  }, { jwtSecret: testSecret });
  server = await serveHttps(runtime.app.fetch, { port: 0, tls: await testTls() });
  const token = await adminToken(runtime.keys, runtime.defaultCluster, systemClock);
  kubectl = new Kubectl(kubeconfig({ server: server.url, cluster: 'default', user: 'kubernetes-admin', token, insecure: true }));
});

after(async () => {
  await server?.close();
  await runtime?.close();
  await sqs?.stop();
  await (await sharedDynamoDBLocal()).stop();
});

describe('AWS locally: DynamoDB Local + local SQS, through the real kubectl', () => {
  it('a Deployment\'s pods are scheduled and Running, driven by SQS events', async () => {
    assert.ok(runtime.queue instanceof SqsQueue, 'the queue port is SQS');
    assert.match(await kubectl.ok(['get', 'nodes']), /^node01\s+Ready/m);
    assert.equal((await kubectl.ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=3'])).trim(), 'deployment.apps/web created');
    const rows = await eventually(
      () => kubectl.ok(['get', 'pods', '-l', 'app=web', '-o', 'wide', '--no-headers']),
      (out) => out.split('\n').filter((l) => /^web-\S+\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.\d+\.\d+\s+node01\s/.test(l)).length === 3,
      'three Running pods of web', 60_000);
    assert.equal(rows.trim().split('\n').length, 3);
    await eventually(() => kubectl.ok(['get', 'deployment', 'web', '--no-headers']), (out) => /^web\s+3\/3\s+3\s+3\s/.test(out), 'web 3/3 available');
    assert.ok(runtime.poller!.received > 0, 'the control plane was fed from SQS');
    assert.ok((runtime.queue as SqsQueue).sent > 0);

    // Scaling down goes the same way: the ReplicaSet controller deletes two pods.
    await kubectl.ok(['scale', 'deployment', 'web', '--replicas=1']);
    await eventually(() => kubectl.ok(['get', 'pods', '-l', 'app=web', '--no-headers']), (out) => out.trim().split('\n').filter(Boolean).length === 1, 'one pod of web left', 60_000);
  });
});
