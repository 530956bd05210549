import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call } from '../src/client/https.ts';
import type { SqsPoller } from '../src/queue/sqsPoller.ts';
import { bundleLambda, functionUrl, LambdaFunction, sqsEventSource } from './lambdaLocal.ts';
import { startSqsLocal, type LocalQueues, type SqsLocal } from './sqsLocal.ts';

/**
 * infra/lambda.yaml on one machine: the bundle's `index.api` behind a Function URL, its
 * `index.handler` fed by an SQS event source mapping (BatchSize 10, partial batch
 * responses) and a schedule's tick, a standard queue with its dead-letter queue (fauxqs),
 * and the table on DynamoDB Local. Each function's instances are processes of their own,
 * one invocation at a time, with only the environment the template gives them. Used by
 * `npm run start:aws-local`, the tests and the benches.
 */

export interface AwsLocalOptions {
  dynamodbEndpoint: string;
  table: string;
  jwtSecret: string;
  adminToken: string;
  tls: { key: string; cert: string };
  /** The Function URL's port (0: any free one). */
  port?: number;
  /** The events queue's; infra/lambda.yaml has 360 (six times the consumer's timeout). */
  visibilityTimeoutSeconds?: number;
  maxReceiveCount?: number;
  /** The schedule's period; false: no schedule (a test that must see the queue alone do the work). */
  tickSeconds?: number | false;
  /** An already built bundle (else one is built into a temporary folder). */
  bundle?: string;
  log?(line: string): void;
}

export interface AwsLocal {
  /** The Function URL. */
  url: string;
  api: LambdaFunction;
  controlPlane: LambdaFunction;
  sqs: SqsLocal;
  queues: LocalQueues;
  eventSource: SqsPoller;
  /** Invokes the control plane with the schedule's tick now. */
  tick(): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startAwsLocal(options: AwsLocalOptions): Promise<AwsLocal> {
  const log = options.log ?? ((line: string) => console.error(line));
  const bundle = options.bundle ?? bundleLambda(join(mkdtempSync(join(tmpdir(), 'apiserverless-lambda-')), 'index.mjs'));
  const sqs = await startSqsLocal();
  const queues = await sqs.createQueues(`apiserverless-events-${options.table}`, { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30, maxReceiveCount: options.maxReceiveCount ?? 5 });
  // What infra/lambda.yaml sets, plus the local endpoints and dummy credentials.
  const env: Record<string, string> = {
    STORE: 'dynamodb', DYNAMODB_TABLE: options.table, QUEUE: 'sqs', SQS_QUEUE_URL: queues.queueUrl,
    JWT_SECRET: options.jwtSecret, ADMIN_TOKEN: options.adminToken,
    DYNAMODB_ENDPOINT: options.dynamodbEndpoint, SQS_ENDPOINT: sqs.endpoint, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local',
  };
  const api = new LambdaFunction({ name: 'ApiServer', bundle, exportName: 'api', env, timeoutSeconds: 900, log });
  const controlPlane = new LambdaFunction({ name: 'ControlPlane', bundle, exportName: 'handler', env, timeoutSeconds: 60, log });
  const front = await functionUrl(api, { tls: options.tls, port: options.port, log });
  const eventSource = sqsEventSource(controlPlane, sqs.client(), queues.queueUrl, { onError: (error) => log(`[event source mapping] ${(error as Error).message}`) });
  const tick = () => controlPlane.invoke({ apiserverless: 'tick' });
  const schedule = options.tickSeconds === false ? undefined
    : setInterval(() => void tick().catch((error: Error) => log(`[schedule] ${error.message}`)), (options.tickSeconds ?? 60) * 1000);
  // The first instance ever makes the table (DynamoDB Local only) and the default cluster: a
  // deployment's first request, made here so no test or user waits on it.
  const first = await call(`${front.url}/healthz`, { insecure: true });
  if (first.status !== 200) throw new Error(`the Function URL's first /healthz answered ${first.status}: ${first.body}`);
  return {
    url: front.url, api, controlPlane, sqs, queues, eventSource, tick,
    async stop() {
      clearInterval(schedule);
      await eventSource.stop();
      await front.close();
      await Promise.all([api.stop(), controlPlane.stop()]);
      await sqs.stop();
    },
  };
}
