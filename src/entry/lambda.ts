import { streamHandle } from 'hono/aws-lambda';
import { isSqsEvent, type SqsBatchResponse } from '../queue/sqsEvents.ts';
import { nodeRuntime } from './node-runtime.ts';

/**
 * AWS Lambda entry: the same app as the Node entry, on DynamoDB (STORE=dynamodb,
 * DYNAMODB_TABLE, AWS_REGION), with JWT_SECRET and ADMIN_TOKEN from the environment.
 * One bundle, two handlers, as infra/lambda.yaml deploys them:
 *
 * - `index.api`: HTTP through a Function URL with response streaming (InvokeMode
 *   RESPONSE_STREAM), so watches and `logs -f` stream. Lambda's Node.js runtime calls a
 *   handler as a streaming one only if the exported function itself carries the mark
 *   `awslambda.streamifyResponse` puts on it, so this export is that function, unwrapped.
 * - `index.handler`: the control plane's invocations, answered with a plain result —
 *   SQS batches from the event source mapping (QUEUE=sqs, SQS_QUEUE_URL), answered with a
 *   partial batch response (ReportBatchItemFailures) so only the records that failed come
 *   back; and the EventBridge schedule's `{"apiserverless":"tick"}`: the expiry sweep and
 *   the resync, the safety net for lost events.
 */
const env = process.env;
if (!env.JWT_SECRET) throw new Error('JWT_SECRET must be set');
const runtime = await nodeRuntime({ STORE: 'dynamodb', ...env }, { jwtSecret: env.JWT_SECRET, adminToken: env.ADMIN_TOKEN, timers: false, loopShare: false });

export const api = streamHandle(runtime.app);

export const handler = async (event: unknown): Promise<SqsBatchResponse | { ok: true }> => {
  if (isSqsEvent(event)) return runtime.sqsEvent(event);
  if (typeof event === 'object' && event !== null && (event as { apiserverless?: unknown }).apiserverless === 'tick') {
    await runtime.sweep();
    await runtime.resync();
    return { ok: true };
  }
  throw new Error('index.handler takes SQS batches and the schedule\'s tick; HTTP goes to index.api');
};
