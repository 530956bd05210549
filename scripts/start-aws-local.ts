import { startAwsLocal } from '../harness/awsLocal.ts';
import { startDynamoDBLocal } from '../harness/dynamodbLocal.ts';
import { insecureRequest } from '../src/client/https.ts';
import { localState, startedMessage, tokenOf } from '../src/entry/local-state.ts';
import { selfSignedCertificate } from '../src/entry/node.ts';

/**
 * `npm run start:aws-local`: infra/lambda.yaml on this machine (harness/awsLocal.ts). The
 * bundle `npm run bundle:lambda` makes runs as the template's two functions — `index.api`
 * behind a Function URL with response streaming, `index.handler` fed by an SQS event source
 * mapping and a one-minute schedule — each instance a process of its own, one invocation at
 * a time; the queue and its dead-letter queue are fauxqs (in this process), the table is on
 * DynamoDB Local (AWS's emulator, fetched and started for you). Data lives as long as this
 * process. For people who deploy on AWS: kubectl works against it as against `npm start`.
 */
const state = localState();
const port = Number(process.env.PORT ?? 8787);
const dynamodb = await startDynamoDBLocal();
const table = process.env.DYNAMODB_TABLE ?? 'apiserverless';
const aws = await startAwsLocal({
  dynamodbEndpoint: dynamodb.endpoint, table, port, jwtSecret: state.jwtSecret, adminToken: state.adminToken,
  tls: await selfSignedCertificate(), log: (line) => console.error(line),
});
const stop = () => void Promise.allSettled([aws.stop(), dynamodb.stop()]).then(() => process.exit(0));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);

// The default cluster exists from the functions' first start; this issues its admin kubeconfig.
const ensured = await insecureRequest('PUT', `${aws.url}/clusters/default`, { authorization: `Bearer ${state.adminToken}` });
if (ensured.status !== 200) throw new Error(`could not read the default cluster: ${ensured.status} ${ensured.body}`);
const written = state.writeKubeconfig(tokenOf(JSON.parse(ensured.body).kubeconfig), port);
console.log(startedMessage('apiserverless (AWS Lambda functions, locally)', port, written,
  `Table ${table} on DynamoDB Local ${dynamodb.endpoint}; events on a local SQS (fauxqs) ${aws.queues.queueUrl},\ndead letters ${aws.queues.deadLetterQueueUrl}. Data lives as long as this process.\n`));
