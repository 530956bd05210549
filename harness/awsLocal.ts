import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { call } from '../src/client/https.ts';
import type { SqsPoller } from '../src/queue/sqsPoller.ts';
import { bundleLambda, functionUrl, LambdaFunction, sqsEventSource } from './lambdaLocal.ts';
import { startSqsLocal, type LocalQueues, type SqsLocal } from './sqsLocal.ts';

/**
 * infra/lambda.yaml on one machine: the bundle's `index.api` behind a Function URL, its
 * `index.handler` fed by an SQS event source mapping (BatchSize 10, partial batch
 * responses) and a schedule's tick, a standard queue with its dead-letter queue (fauxqs),
 * and the table on DynamoDB Local. Each function's instances are processes of their own,
 * one invocation at a time, with only the environment the template gives them. The
 * functions' handlers, timeouts and environment, and the queue's settings, are read from
 * the template itself, so what runs here is what it deploys. Used by
 * `npm run start:aws-local`, the tests and the benches.
 */

const template = join(dirname(fileURLToPath(import.meta.url)), '..', 'infra', 'lambda.yaml');

interface FunctionSpec { name: string; exportName: string; timeoutSeconds: number; env: Record<string, string> }

/**
 * What the template declares: the queue's settings, and its two functions (the one behind
 * the AWS::Lambda::Url, the one the event source mapping feeds) with their environment
 * resolved, `refs` giving each Ref its local value.
 */
export function readTemplate() {
  type Resource = { Type: string; Properties: Record<string, unknown> };
  const doc = parse(readFileSync(template, 'utf8')) as { Resources: Record<string, Resource>; Parameters: Record<string, { Default?: unknown }> };
  const resources = Object.entries(doc.Resources);
  const resolve = (value: unknown, refs: Record<string, string> = {}): string => {
    if (typeof value === 'string' || typeof value === 'number') return String(value);
    const ref = (value as { Ref?: string }).Ref;
    if (ref && ref in refs) return refs[ref];
    if (ref && doc.Parameters[ref]?.Default !== undefined) return String(doc.Parameters[ref].Default);
    throw new Error(`infra/lambda.yaml: no local value for ${JSON.stringify(value)}`);
  };
  const fn = (name: string, refs: Record<string, string>): FunctionSpec => {
    const props = doc.Resources[name]?.Properties as { Handler: string; Timeout: number; Environment: { Variables: Record<string, unknown> } };
    const variables = Object.fromEntries(Object.entries(props.Environment.Variables).map(([k, v]) => [k, resolve(v, refs)]));
    return { name, exportName: props.Handler.replace(/^index\./, ''), timeoutSeconds: props.Timeout, env: variables };
  };
  const of = (type: string) => resources.find(([, r]) => r.Type === type)![1].Properties;
  const getAttTarget = (value: unknown) => (value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const mapping = of('AWS::Lambda::EventSourceMapping');
  const queue = doc.Resources[getAttTarget(mapping.EventSourceArn)].Properties as { VisibilityTimeout: number; RedrivePolicy: { maxReceiveCount: unknown } };
  return {
    functions: (refs: Record<string, string>) => ({
      api: fn(getAttTarget(of('AWS::Lambda::Url').TargetFunctionArn), refs),
      controlPlane: fn((mapping.FunctionName as { Ref: string }).Ref, refs),
    }),
    visibilityTimeoutSeconds: queue.VisibilityTimeout,
    maxReceiveCount: Number(resolve(queue.RedrivePolicy.maxReceiveCount)),
  };
}

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
  /** Variables set on both functions beyond the template's (as one would in their configuration: limits, say). */
  env?: Record<string, string>;
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
  const declared = readTemplate();
  const queues = await sqs.createQueues(`apiserverless-events-${options.table}`, {
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? declared.visibilityTimeoutSeconds, maxReceiveCount: options.maxReceiveCount ?? declared.maxReceiveCount,
  });
  // Beside what the template sets: the local endpoints and dummy credentials.
  const local = { DYNAMODB_ENDPOINT: options.dynamodbEndpoint, SQS_ENDPOINT: sqs.endpoint, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };
  const functions = declared.functions({ TableName: options.table, EventsQueue: queues.queueUrl, JwtSecret: options.jwtSecret, AdminToken: options.adminToken });
  const make = (spec: FunctionSpec) => new LambdaFunction({ ...spec, bundle, env: { ...spec.env, ...local, ...options.env }, log });
  const api = make(functions.api);
  const controlPlane = make(functions.controlPlane);
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
