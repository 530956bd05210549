import { randomBytes } from 'node:crypto';
import { after, afterEach } from 'node:test';
import { startAwsLocal, type AwsLocal, type AwsLocalOptions } from '../../harness/awsLocal.ts';
import { sharedDynamoDBLocal } from '../../harness/dynamodbLocal.ts';
import { testAdminToken, testSecret, testTls } from '../../harness/server.ts';
import { freshClusterOn, type FreshCluster } from './freshCluster.ts';

/**
 * One local AWS topology (harness/awsLocal.ts: the Lambda functions, SQS, DynamoDB Local)
 * for a test file, started when first asked for and stopped when the file ends; each test
 * takes a fresh cluster on it. Its functions' output is kept and printed only if a test failed.
 */

let topology: Promise<AwsLocal> | undefined;
export const awsLog: string[] = [];

export function sharedAwsLocal(options: Partial<AwsLocalOptions> = {}): Promise<AwsLocal> {
  return (topology ??= (async () => startAwsLocal({
    dynamodbEndpoint: (await sharedDynamoDBLocal()).endpoint, table: `aws-${randomBytes(4).toString('hex')}`,
    jwtSecret: testSecret, adminToken: testAdminToken, tls: await testTls(),
    log: (line) => { awsLog.push(line); if (awsLog.length > 400) awsLog.splice(0, 200); },
    ...options,
  }))());
}

/** A fresh cluster on this file's topology, made through the Function URL's admin API. */
export async function freshAwsCluster(): Promise<FreshCluster<{ url: string; adminToken: string }>> {
  return freshClusterOn({ url: (await sharedAwsLocal()).url, adminToken: testAdminToken });
}

let failed = false;
// `passed` is there from Node 20.? on; where it is not, nothing is printed.
afterEach((t) => { if ((t as { passed?: boolean }).passed === false) failed = true; });

// On the file's root: once every test of the file has ended.
after(async () => {
  if (failed && awsLog.length) console.log(`# the Lambda functions said (last ${Math.min(awsLog.length, 200)} lines):\n${awsLog.slice(-200).join('\n')}`);
  const aws = await topology;
  if (aws) console.log(`# AWS topology: ${aws.api.coldStarts} API instances started for ${aws.api.invocations} requests; ${aws.controlPlane.coldStarts} control-plane instances for ${aws.controlPlane.invocations} invocations`);
  await aws?.stop();
  await (await sharedDynamoDBLocal()).stop();
});
