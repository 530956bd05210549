import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import type { SpecDatabase } from '@aws-cdk/service-spec-types';
import { lintTemplate, loadSpec } from '../scripts/cfnLint.ts';

/**
 * The CloudFormation templates in infra/ pass `npm run lint:infra` (scripts/cfnLint.ts,
 * against AWS's resource specification), and the check finds each kind of mistake it says it
 * finds when one is put into infra/lambda.yaml.
 */

let spec: SpecDatabase;
before(async () => { spec = await loadSpec(); });

const lambda = readFileSync('infra/lambda.yaml', 'utf8');
const messages = (text: string) => lintTemplate(text, spec).map((p) => `${p.path}: ${p.message}`);
/** infra/lambda.yaml with `from` replaced by `to` (which must be there). */
const broken = (from: string, to: string) => {
  assert.ok(lambda.includes(from), `infra/lambda.yaml has ${from}`);
  return lambda.replace(from, to);
};

describe('the CloudFormation templates', () => {
  it('infra/dynamodb.yaml and infra/lambda.yaml have no problems', () => {
    assert.deepEqual(messages(readFileSync('infra/dynamodb.yaml', 'utf8')), []);
    assert.deepEqual(messages(lambda), []);
  });

  it('finds unknown properties, missing required ones, wrong types, unknown types', () => {
    assert.deepEqual(messages(broken('FunctionResponseTypes:', 'FunctionResponseType:')), [
      'Resources/ControlPlaneEvents/Properties/FunctionResponseType: AWS::Lambda::EventSourceMapping has no property FunctionResponseType',
    ]);
    assert.deepEqual(messages(broken("      Role: {'Fn::GetAtt': [ApiServerRole, Arn]}\n", '')), [
      'Resources/ApiServer/Properties: AWS::Lambda::Function requires Role',
    ]);
    assert.deepEqual(messages(broken('      Timeout: 900', '      Timeout: fifteen minutes')), [
      'Resources/ApiServer/Properties/Timeout: expected an integer, got "fifteen minutes"',
    ]);
    assert.deepEqual(messages(broken('ScalingConfig: {MaximumConcurrency: 10}', 'ScalingConfig: {MaximumConcurrency: 10, Minimum: 2}')), [
      'Resources/ControlPlaneEvents/Properties/ScalingConfig/Minimum: ScalingConfig has no property Minimum',
    ]);
    assert.deepEqual(messages(broken('Type: AWS::Events::Rule', 'Type: AWS::Events::Schedule')), [
      'Resources/Tick/Type: AWS::Events::Schedule is not a CloudFormation resource type',
    ]);
  });

  it('finds Refs, GetAtts and ${…} that name nothing, and parameters never used', () => {
    assert.deepEqual(messages(broken("[ApiServerUrl, FunctionUrl]", '[ApiServerUrl, Url]')), [
      'Outputs/ServerUrl/Value: ApiServerUrl has no attribute Url (it has FunctionArn, FunctionUrl)',
    ]);
    assert.deepEqual(messages(broken('SQS_QUEUE_URL: {Ref: EventsQueue}', 'SQS_QUEUE_URL: {Ref: EventQueue}')), [
      'Resources/ApiServer/Properties/Environment/Variables/SQS_QUEUE_URL: Ref to EventQueue, which is neither a parameter, a resource nor a pseudo parameter',
    ]);
    assert.deepEqual(messages(broken("'/aws/lambda/${ApiServer}'", "'/aws/lambda/${Api}'")), [
      'Resources/ApiServerLogs/Properties/LogGroupName: Ref to Api, which is neither a parameter, a resource nor a pseudo parameter',
    ]);
    assert.deepEqual(messages(broken('  MaxReceiveCount:', '  Unused: {Type: String}\n  MaxReceiveCount:')), [
      'Parameters/Unused: never used (Ref or ${…})',
    ]);
  });
});
