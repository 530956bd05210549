import { streamHandle } from 'hono/aws-lambda';
import { nodeRuntime } from './node-runtime.ts';

/**
 * AWS Lambda entry (Function URL with response streaming, so watches and
 * `logs -f` stream): the same app as the Node entry, on DynamoDB
 * (STORE=dynamodb, DYNAMODB_TABLE, AWS_REGION), with JWT_SECRET and
 * ADMIN_TOKEN from the environment. An EventBridge schedule invoking the
 * function with `{"apiserverless":"tick"}` runs the expiry sweep and resync.
 */
const env = process.env;
if (!env.JWT_SECRET) throw new Error('JWT_SECRET must be set');
const runtime = await nodeRuntime({ STORE: 'dynamodb', ...env }, { jwtSecret: env.JWT_SECRET, adminToken: env.ADMIN_TOKEN, timers: false });
const http = streamHandle(runtime.app);

type Event = Parameters<typeof http>[0] | { apiserverless: 'tick' };

export const handler = async (event: Event, ...rest: unknown[]) => {
  if ('apiserverless' in event && event.apiserverless === 'tick') {
    await runtime.sweep();
    await runtime.resync();
    return { ok: true };
  }
  return (http as (e: unknown, ...r: unknown[]) => unknown)(event, ...rest);
};
