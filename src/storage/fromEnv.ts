import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoStore, ensureTable } from './dynamodb.ts';
import { MemoryStore } from './memory.ts';
import type { Store } from './store.ts';

/**
 * The Node entry's store, chosen by the environment:
 *
 *   STORE=memory (default)   everything in this process, gone when it exits
 *   STORE=dynamodb           DYNAMODB_TABLE (default `apiserverless`), region AWS_REGION;
 *                            DYNAMODB_ENDPOINT points at DynamoDB Local (or any other
 *                            endpoint), and then the table is created if missing and
 *                            dummy credentials are used unless real ones are set.
 *                            Against AWS itself the table comes from infra/dynamodb.yaml.
 */
export type Env = Record<string, string | undefined>;

export async function storeFromEnv(env: Env): Promise<Store> {
  const kind = env.STORE || 'memory';
  if (kind === 'memory') return new MemoryStore();
  if (kind !== 'dynamodb') throw new Error(`STORE must be "memory" or "dynamodb", not "${kind}"`);

  const table = env.DYNAMODB_TABLE || 'apiserverless';
  if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(table)) throw new Error(`DYNAMODB_TABLE "${table}" is not a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -)`);
  const endpoint = env.DYNAMODB_ENDPOINT || undefined;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || (endpoint ? 'us-east-1' : undefined);
  if (!region) throw new Error('STORE=dynamodb needs AWS_REGION (or DYNAMODB_ENDPOINT for DynamoDB Local)');
  // DynamoDB Local accepts any credentials but the SDK insists on having some.
  const credentials = endpoint && !env.AWS_ACCESS_KEY_ID ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined;
  const client = new DynamoDBClient({ region, endpoint, credentials });
  if (endpoint) await ensureTable(client, table);
  return new DynamoStore({ client, table });
}
