import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { Kubectl } from '../harness/kubectl.ts';
import { coreScenario } from './scenarios/core.ts';
import { eventually } from './helpers/eventually.ts';
import { freshAwsCluster, sharedAwsLocal } from './helpers/awsLocal.ts';

/**
 * The AWS topology on one machine (harness/awsLocal.ts, as `npm run start:aws-local` runs
 * it): the bundle `npm run bundle:lambda` makes, as infra/lambda.yaml's two functions —
 * `index.api` behind a Function URL with response streaming, `index.handler` fed by an SQS
 * event source mapping — each instance a process of its own running one invocation at a
 * time, on DynamoDB Local and a local SQS. The real kubectl v1.35 is the judge.
 */

// The schedule's resync would repair what a lost event leaves behind; these tests must see the queue alone do the work.
const aws = () => sharedAwsLocal({ tickSeconds: false, visibilityTimeoutSeconds: 5, maxReceiveCount: 3 });

coreScenario('AWS locally: Lambda functions, DynamoDB Local, SQS', async () => {
  await aws();
  return freshAwsCluster();
});

describe('the control plane through SQS (AWS locally)', () => {
  const runningPods = (kubectl: Kubectl, label: string, count: number) => eventually(
    () => kubectl.ok(['get', 'pods', '-l', label, '-o', 'wide', '--no-headers']),
    (out) => out.split('\n').filter((l) => /^\S+\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.\d+\.\d+\s+node01\s/.test(l)).length === count,
    `${count} Running pods of ${label}`, 60_000);

  it('a Deployment\'s pods are scheduled and Running, driven by SQS events alone', async () => {
    const topology = await aws();
    const kubectl = new Kubectl(await (await freshAwsCluster()).kubeconfig());
    const received = topology.eventSource.received;
    assert.match(await kubectl.ok(['get', 'nodes']), /^node01\s+Ready/m);
    assert.equal((await kubectl.ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=3'])).trim(), 'deployment.apps/web created');
    await runningPods(kubectl, 'app=web', 3);
    await eventually(() => kubectl.ok(['get', 'deployment', 'web', '--no-headers']), (out) => /^web\s+3\/3\s+3\s+3\s/.test(out), 'web 3/3 available');
    assert.ok(topology.eventSource.received > received, 'the control plane was fed from SQS');
    // Scaling down goes the same way: the ReplicaSet controller deletes two pods.
    await kubectl.ok(['scale', 'deployment', 'web', '--replicas=1']);
    await eventually(() => kubectl.ok(['get', 'pods', '-l', 'app=web', '--no-headers']), (out) => out.trim().split('\n').filter(Boolean).length === 1, 'one pod of web left', 60_000);
  });

  it('a consumer instance killed in the middle of a batch: its records come back and the result is the same', async () => {
    const topology = await aws();
    const kubectl = new Kubectl(await (await freshAwsCluster()).kubeconfig());
    const instancesBefore = topology.controlPlane.coldStarts;
    // The next batch's instance dies (SIGKILL) as the batch reaches it: nothing of it is deleted from the queue.
    topology.controlPlane.killNext = true;
    assert.equal((await kubectl.ok(['run', 'survivor', '--image=nginx'])).trim(), 'pod/survivor created');
    await eventually(async () => topology.controlPlane.killNext, (armed) => !armed, 'the kill to happen');
    await runningPods(kubectl, 'run=survivor', 1);
    assert.ok(topology.controlPlane.coldStarts > instancesBefore, 'a new instance took over');
  });

  it('a poison message goes to the dead-letter queue after maxReceiveCount receives, and blocks nothing', async () => {
    const topology = await aws();
    const client = topology.sqs.client();
    try {
      await client.send(new SendMessageCommand({ QueueUrl: topology.queues.queueUrl, MessageBody: '{"not":"ours"}' }));
      const kubectl = new Kubectl(await (await freshAwsCluster()).kubeconfig());
      assert.equal((await kubectl.ok(['run', 'beside-poison', '--image=nginx'])).trim(), 'pod/beside-poison created');
      await runningPods(kubectl, 'run=beside-poison', 1);
      const dead = () => client.send(new GetQueueAttributesCommand({ QueueUrl: topology.queues.deadLetterQueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
      await eventually(dead, (out) => Number(out.Attributes?.ApproximateNumberOfMessages) >= 1, 'the poison message in the dead-letter queue', 60_000);
    } finally {
      client.destroy();
    }
  });
});
