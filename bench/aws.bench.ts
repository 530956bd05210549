import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:https';
import { startAwsLocal } from '../harness/awsLocal.ts';
import { startDynamoDBLocal } from '../harness/dynamodbLocal.ts';
import { testAdminToken, testSecret, testTls } from '../harness/server.ts';
import { serveHttps } from '../src/entry/node.ts';
import { nodeRuntime } from '../src/entry/node-runtime.ts';
import { startSqsLocal } from '../harness/sqsLocal.ts';
import type { QueueMessage } from '../src/ports.ts';
import { InProcessQueue } from '../src/queue/memory.ts';
import { SqsQueue } from '../src/queue/sqs.ts';
import { consumeSqsEvent } from '../src/queue/sqsEvents.ts';
import { startSqsPoller } from '../src/queue/sqsPoller.ts';
import { systemClock } from '../src/ports.ts';
import { call } from '../src/client/https.ts';
import { hmacKeys } from '../src/server/keys.ts';
import { line } from './lib.ts';

/**
 * The AWS topology on one machine (harness/awsLocal.ts: the Lambda bundle as infra/lambda.yaml's
 * two functions, each instance a process, a local SQS, DynamoDB Local), each figure beside a
 * baseline measured in the same run:
 * - events per second through SQS (SqsQueue → fauxqs → the event source mapping → the
 *   handler's SQS path, records consumed by a no-op) against the in-process queue;
 * - pods created over HTTPS until all are Running, on the topology against the Node entry
 *   (memory store, in-process queue, control plane in the same process).
 */

const eventCount = Number(process.env.BENCH_EVENTS ?? 2000);
const podCount = Number(process.env.BENCH_PODS ?? 1000);
const nodeCount = 20;
const concurrency = 8;

async function eventsPerSecond(): Promise<{ sqs: number; memory: number }> {
  const message = (i: number): QueueMessage => ({ kind: 'resync', cluster: `c${i}` });
  // In-process: what the Node entry and `npm start`'s Node path use.
  const memory = await new Promise<number>((resolve) => {
    let seen = 0;
    const queue = new InProcessQueue({ clock: systemClock, mode: 'live' });
    const started = performance.now();
    queue.consume(async () => { if (++seen === eventCount) { resolve((eventCount * 1000) / (performance.now() - started)); queue.close(); } });
    for (let i = 0; i < eventCount; i++) void queue.send(message(i));
  });
  const sqs = await startSqsLocal();
  const queues = await sqs.createQueues('bench-events', { visibilityTimeoutSeconds: 30 });
  const client = sqs.client();
  const queue = new SqsQueue({ client, queueUrl: queues.queueUrl });
  let seen = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => { done = resolve; });
  const started = performance.now();
  const poller = startSqsPoller({
    client, queueUrl: queues.queueUrl, concurrency: 2, waitTimeSeconds: 1,
    handler: (event) => consumeSqsEvent(event, {
      handle: async () => { if (++seen === eventCount) done(); },
      requeue: async () => {}, now: () => Date.now(),
    }),
  });
  await Promise.all(Array.from({ length: eventCount }, (_, i) => queue.send(message(i))));
  await all;
  const rate = (eventCount * 1000) / (performance.now() - started);
  await poller.stop();
  client.destroy();
  await sqs.stop();
  return { sqs: rate, memory };
}

/** Creates `podCount` pods on `clusterUrl` (concurrency at a time) and follows a watch until all are Running: ms for each. */
async function podsRunning(clusterUrl: string, token: string): Promise<{ createdMs: number; runningMs: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency + 1, rejectUnauthorized: false });
  const headers = { authorization: `Bearer ${token}` };
  const running = new Set<string>();
  let allRunning!: () => void;
  const finished = new Promise<void>((resolve) => { allRunning = resolve; });
  // The watch streams through the Function URL (response streaming) on the topology.
  const watch = request(`${clusterUrl}/api/v1/namespaces/default/pods?watch=true`, { agent, headers }, (res) => {
    let buffered = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const event = JSON.parse(buffered.slice(0, newline)) as { object: { metadata: { name: string }; status?: { phase?: string } } };
        buffered = buffered.slice(newline + 1);
        if (event.object.status?.phase === 'Running') running.add(event.object.metadata.name);
        if (running.size === podCount) allRunning();
      }
    });
  });
  watch.end();
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < podCount) {
      const i = next++;
      const body = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${i}` }, spec: { containers: [{ name: 'web', image: 'nginx', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } });
      const answer = await call(`${clusterUrl}/api/v1/namespaces/default/pods`, { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json' }, body });
      if (answer.status !== 201) throw new Error(`create pod-${i}: ${answer.status} ${answer.body.slice(0, 200)}`);
    }
  }));
  const createdMs = performance.now() - started;
  const timeout = setTimeout(() => allRunning(), 600_000);
  await finished;
  clearTimeout(timeout);
  const runningMs = performance.now() - started;
  watch.destroy();
  agent.destroy();
  if (running.size < podCount) throw new Error(`only ${running.size} of ${podCount} pods Running after 10 minutes`);
  return { createdMs, runningMs };
}

async function clusterOn(url: string): Promise<{ clusterUrl: string; token: string }> {
  const name = `bench-${randomBytes(3).toString('hex')}`;
  const created = await call(`${url}/clusters`, { method: 'POST', insecure: true, headers: { authorization: `Bearer ${testAdminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ name, nodes: nodeCount, ttl: '1h' }) });
  if (created.status !== 201) throw new Error(`POST /clusters: ${created.status} ${created.body}`);
  const uid = (JSON.parse(created.body) as { cluster: { metadata: { uid: string } } }).cluster.metadata.uid;
  const token = await hmacKeys(testSecret).sign({ sub: 'bench', groups: ['system:masters'], cluster: name, clusterUid: uid });
  return { clusterUrl: `${url}/clusters/${name}`, token };
}

export async function run(): Promise<void> {
  const events = await eventsPerSecond();
  line(`${eventCount} events, in-process queue (baseline)`, `${Math.round(events.memory)} events/s`);
  line(`${eventCount} events through the local SQS (send → event source mapping → SQS path)`, `${Math.round(events.sqs)} events/s (${(events.memory / events.sqs).toFixed(0)}× slower than in-process)`);

  // The Node entry as `npm run start:node` runs it, on memory and on the same DynamoDB Local; limits
  // raised alike everywhere, so no create meets a 429.
  const limits = { RATE_LIMIT_RPS: '100000', RATE_LIMIT_BURST: '100000', MAX_OBJECTS_PER_CLUSTER: '1000000' };
  const onNodeEntry = async (env: Record<string, string>) => {
    const runtime = await nodeRuntime({ ...env, ...limits }, { jwtSecret: testSecret, adminToken: testAdminToken });
    const node = await serveHttps(runtime.app.fetch, { port: 0, tls: await testTls() });
    try {
      return await podsRunning(...Object.values(await clusterOn(node.url)) as [string, string]);
    } finally {
      await node.close();
      await runtime.close();
    }
  };
  const onMemory = await onNodeEntry({ STORE: 'memory' });
  const dynamodb = await startDynamoDBLocal();
  const onDynamo = await onNodeEntry({ STORE: 'dynamodb', DYNAMODB_ENDPOINT: dynamodb.endpoint, DYNAMODB_TABLE: 'bench-node' });
  let timedOut = 0;
  const aws = await startAwsLocal({ dynamodbEndpoint: dynamodb.endpoint, table: 'bench', jwtSecret: testSecret, adminToken: testAdminToken, tls: await testTls(), env: limits, log: (l) => { if (/Task timed out/.test(l)) timedOut++; } });
  try {
    const onAws = await podsRunning(...Object.values(await clusterOn(aws.url)) as [string, string]);
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const figures = (r: { createdMs: number; runningMs: number }) => `created in ${s(r.createdMs)}, all Running at ${s(r.runningMs)}`;
    console.log(`${podCount} pods on ${nodeCount} nodes, ${concurrency} creates at a time over HTTPS, until a watch has seen all Running:`);
    line('  Node entry, memory store, in-process queue (baseline)', figures(onMemory));
    line('  Node entry, DynamoDB Local, in-process queue', `${figures(onDynamo)} (${(onDynamo.runningMs / onMemory.runningMs).toFixed(2)}× the baseline)`);
    line('  AWS topology: Lambda processes, DynamoDB Local, SQS', `${figures(onAws)} (${(onAws.runningMs / onMemory.runningMs).toFixed(2)}× the baseline, ${(onAws.runningMs / onDynamo.runningMs).toFixed(2)}× the Node entry on DynamoDB Local)`);
    line('  … its instances', `${aws.api.coldStarts} API and ${aws.controlPlane.coldStarts} control-plane instances started, ${aws.controlPlane.invocations} invocations of the control plane, ${timedOut} of them timed out`);
  } finally {
    await aws.stop();
    await dynamodb.stop();
  }
}
