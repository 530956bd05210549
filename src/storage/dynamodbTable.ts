import {
  BatchWriteItemCommand, CreateTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand, UpdateTimeToLiveCommand,
  type BatchWriteItemCommandOutput, type DynamoDBClient, type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { ttlAttribute, type Item } from './dynamodbItems.ts';

/** Table-level operations of the DynamoDB store: creating the table (as infra/dynamodb.yaml declares it) and bulk deletes. */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates the table (on-demand capacity, TTL on expiresAt) unless it exists; for local use and tests. */
export async function ensureTable(client: DynamoDBClient, table: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand({
      TableName: table, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    }));
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceInUseException') throw err;
  }
  for (let i = 0; ; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    if (Table?.TableStatus === 'ACTIVE') break;
    if (i > 600) throw new Error(`table ${table} did not become ACTIVE`);
    await sleep(100);
  }
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  await client.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true } }));
}

/**
 * BatchWriteItem deletes, 25 at a time, resending what DynamoDB left unprocessed.
 * With `proceed`, each batch is sent only if it still answers true; false stops
 * the deletion (the result is then false).
 */
export function deleteAll(client: DynamoDBClient, table: string, keys: Item[], proceed?: () => Promise<boolean>): Promise<boolean> {
  return writeAll(client, table, keys.map((Key) => ({ DeleteRequest: { Key } })), proceed);
}

/** BatchWriteItem puts (whole items, unconditional), 25 at a time: a restore's objects. */
export async function putAll(client: DynamoDBClient, table: string, items: Item[]): Promise<void> {
  await writeAll(client, table, items.map((Item) => ({ PutRequest: { Item } })));
}

async function writeAll(client: DynamoDBClient, table: string, requests: WriteRequest[], proceed?: () => Promise<boolean>): Promise<boolean> {
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += 25) batches.push(requests.slice(i, i + 25));
  let stopped = false;
  const worker = async () => {
    for (let batch = batches.shift(); batch && !stopped; batch = batches.shift()) {
      if (proceed && !(await proceed())) { stopped = true; return; }
      let pending: WriteRequest[] = batch;
      for (let attempt = 0; pending.length; attempt++) {
        if (attempt) await sleep(Math.min(50 * 2 ** attempt, 2000));
        const out: BatchWriteItemCommandOutput = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
        pending = out.UnprocessedItems?.[table] ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return !stopped;
}
