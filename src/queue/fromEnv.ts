import type { SqsQueue } from './sqs.ts';

/**
 * The Node entries' queue, chosen by the environment:
 *
 *   QUEUE=memory (default)   an in-process queue: events live as long as the process
 *   QUEUE=sqs                Amazon SQS: SQS_QUEUE_URL (a standard queue with a dead-letter
 *                            queue, infra/lambda.yaml), region AWS_REGION; SQS_ENDPOINT points
 *                            at a local SQS (npm run start:aws-local), and then dummy
 *                            credentials are used unless real ones are set.
 *
 * The SQS client is loaded only when asked for, so the memory setup never pays for it.
 */
export type Env = Record<string, string | undefined>;

export async function sqsQueueFromEnv(env: Env): Promise<SqsQueue | undefined> {
  const kind = env.QUEUE || 'memory';
  if (kind === 'memory') return undefined;
  if (kind !== 'sqs') throw new Error(`QUEUE must be "memory" or "sqs", not "${kind}"`);
  const queueUrl = env.SQS_QUEUE_URL;
  if (!queueUrl) throw new Error('QUEUE=sqs needs SQS_QUEUE_URL');
  const endpoint = env.SQS_ENDPOINT || undefined;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || (endpoint ? 'us-east-1' : undefined);
  if (!region) throw new Error('QUEUE=sqs needs AWS_REGION (or SQS_ENDPOINT for a local SQS)');
  const credentials = endpoint && !env.AWS_ACCESS_KEY_ID ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined;
  const [{ SQSClient }, { SqsQueue }] = await Promise.all([import('@aws-sdk/client-sqs'), import('./sqs.ts')]);
  return new SqsQueue({ client: new SQSClient({ region, endpoint, credentials }), queueUrl });
}
