import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { DynamoStore, ensureTable } from '../src/storage/dynamodb.ts';
import { sharedDynamoDBLocal } from '../harness/dynamodbLocal.ts';
import { startNodeServer } from '../harness/server.ts';
import { tenancyScenario } from './scenarios/tenancy.ts';

after(async () => (await sharedDynamoDBLocal()).stop());

tenancyScenario('Node entry, DynamoDB store (DynamoDB Local)', async () => {
  const local = await sharedDynamoDBLocal();
  const client = local.client();
  const table = `tenancy-${randomBytes(4).toString('hex')}`;
  await ensureTable(client, table);
  const server = await startNodeServer({ store: new DynamoStore({ client, table }) });
  return {
    url: server.url, adminToken: server.adminToken, store: server.ports.store, sweep: server.sweep,
    close: async () => { await server.close(); client.destroy(); },
  };
}, 10); // a class of 10: the class of 30 runs on the Worker (e2e-tenancy-worker)
