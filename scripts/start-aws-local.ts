import { startDynamoDBLocal } from '../harness/dynamodbLocal.ts';
import { startSqsLocal } from '../harness/sqsLocal.ts';

/**
 * `npm run start:aws-local`: the Node entry as it runs on AWS, on the dynamodb store and
 * the sqs queue, against DynamoDB Local (AWS's emulator, fetched and started for you) and
 * a local SQS (fauxqs, in this process); data lives as long as this process. Change events
 * go to SQS; a poller in the Node entry plays Lambda's event source mapping and hands each
 * batch to the Lambda handler's SQS path (partial batch response, redrive to the
 * dead-letter queue after 5 receives). For people who deploy on AWS.
 */
const [dynamodb, sqs] = await Promise.all([startDynamoDBLocal(), startSqsLocal()]);
const queues = await sqs.createQueues('apiserverless-events', { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
process.env.STORE = 'dynamodb';
process.env.DYNAMODB_ENDPOINT = dynamodb.endpoint;
process.env.DYNAMODB_TABLE ??= 'apiserverless';
process.env.QUEUE = 'sqs';
process.env.SQS_ENDPOINT = sqs.endpoint;
process.env.SQS_QUEUE_URL = queues.queueUrl;
console.log(`DynamoDB Local is serving at ${dynamodb.endpoint} (table ${process.env.DYNAMODB_TABLE})`);
console.log(`local SQS (fauxqs) is serving at ${sqs.endpoint}: events ${queues.queueUrl}, dead letters ${queues.deadLetterQueueUrl}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void Promise.allSettled([dynamodb.stop(), sqs.stop()]).then(() => process.exit(0)));
await import('../src/entry/start.ts');
