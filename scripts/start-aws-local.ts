import { startDynamoDBLocal } from '../harness/dynamodbLocal.ts';

/**
 * `npm run start:aws-local`: the Node entry on the dynamodb backend, against
 * DynamoDB Local (AWS's emulator, fetched and started for you; data lives as
 * long as this process). For people who deploy on AWS.
 */
const local = await startDynamoDBLocal();
process.env.STORE = 'dynamodb';
process.env.DYNAMODB_ENDPOINT = local.endpoint;
process.env.DYNAMODB_TABLE ??= 'apiserverless';
console.log(`DynamoDB Local is serving at ${local.endpoint} (table ${process.env.DYNAMODB_TABLE})`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void local.stop().then(() => process.exit(0)));
await import('../src/entry/start.ts');
