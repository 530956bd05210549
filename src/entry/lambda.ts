import { streamHandle } from 'hono/aws-lambda';
import { isSqsEvent, type SqsBatchResponse } from '../queue/sqsEvents.ts';
import { nodeRuntime } from './node-runtime.ts';

/**
 * AWS Lambda entry (Function URL with response streaming, so watches and
 * `logs -f` stream): the same app as the Node entry, on DynamoDB
 * (STORE=dynamodb, DYNAMODB_TABLE, AWS_REGION), with JWT_SECRET and
 * ADMIN_TOKEN from the environment. Three kinds of invocation reach it:
 *
 * - HTTP through the Function URL: the API;
 * - SQS (QUEUE=sqs, SQS_QUEUE_URL): change events and wake-ups from the event source
 *   mapping, answered with a partial batch response (ReportBatchItemFailures) so only
 *   the records that failed come back;
 * - the EventBridge schedule's `{"apiserverless":"tick"}`: the expiry sweep and the
 *   resync, the safety net for lost events.
 */
const env = process.env;
if (!env.JWT_SECRET) throw new Error('JWT_SECRET must be set');
const runtime = await nodeRuntime({ STORE: 'dynamodb', ...env }, { jwtSecret: env.JWT_SECRET, adminToken: env.ADMIN_TOKEN, timers: false });
const http = streamHandle(runtime.app);

type Event = Parameters<typeof http>[0] | { apiserverless: 'tick' };

export const handler = async (event: Event, ...rest: unknown[]): Promise<unknown> => {
  if ('apiserverless' in event && event.apiserverless === 'tick') {
    await runtime.sweep();
    await runtime.resync();
    return { ok: true };
  }
  if (isSqsEvent(event)) return runtime.sqsEvent(event) satisfies Promise<SqsBatchResponse>;
  return (http as (e: unknown, ...r: unknown[]) => unknown)(event, ...rest);
};
