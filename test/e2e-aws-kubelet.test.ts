import { kubeletScenario } from './scenarios/kubelet.ts';
import { freshAwsCluster, sharedAwsLocal } from './helpers/awsLocal.ts';

// The kubelet scenario on the AWS topology (test/e2e-aws-local.test.ts says what runs): probes,
// restarts and OOM kills driven by SQS events and delayed wake-ups, in real time.
kubeletScenario('AWS locally: Lambda functions, DynamoDB Local, SQS', async () => {
  await sharedAwsLocal();
  return freshAwsCluster();
});
