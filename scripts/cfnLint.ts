import type { SpecDatabase } from '@aws-cdk/service-spec-types';
import { parse } from 'yaml';

/**
 * Checks a CloudFormation template against AWS's own resource specification
 * (@aws-cdk/aws-service-spec, the database the AWS CDK generates its L1 constructs from,
 * refreshed from the CloudFormation registry every week): every resource type exists;
 * every property is one the type has, of its type (strings, numbers, booleans, lists,
 * maps, nested structures, JSON), and every required one is there; every Ref names a
 * parameter, a resource or a pseudo parameter, every GetAtt an attribute the resource
 * type has, every `${…}` of a Fn::Sub one of those; DependsOn names resources; every
 * parameter is used. cfn-lint itself is a Python package, out of reach of the registries
 * these machines have; the npm package of that name checks against a 2019 specification
 * and refuses properties added since (FunctionResponseTypes, ScalingConfig, Function URLs).
 */

export interface Problem { path: string; message: string }

type Spec = SpecDatabase;
type PropertyType = { type: string; element?: PropertyType; reference?: { $ref: string }; types?: PropertyType[] };
interface PropertyDef { type: PropertyType; required?: boolean }
interface ResourceDef { properties: Record<string, PropertyDef>; attributes: Record<string, unknown> }

const topLevel = new Set(['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings', 'Conditions', 'Transform', 'Resources', 'Outputs']);
const resourceKeys = new Set(['Type', 'Properties', 'DependsOn', 'Condition', 'DeletionPolicy', 'UpdateReplacePolicy', 'Metadata', 'CreationPolicy', 'UpdatePolicy']);
const parameterKeys = new Set(['Type', 'Default', 'Description', 'NoEcho', 'MinLength', 'MaxLength', 'AllowedValues', 'AllowedPattern', 'MinValue', 'MaxValue', 'ConstraintDescription']);
const parameterTypes = /^(String|Number|List<Number>|CommaDelimitedList|AWS::[A-Za-z0-9:]+(::[A-Za-z]+)?|List<AWS::[A-Za-z0-9:]+>|AWS::SSM::Parameter::Value<.+>)$/;
const pseudoParameters = new Set(['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix']);
const outputKeys = new Set(['Description', 'Value', 'Export', 'Condition']);
const intrinsics = new Set(['Ref', 'Condition', 'Fn::GetAtt', 'Fn::Sub', 'Fn::Join', 'Fn::Select', 'Fn::Split', 'Fn::If', 'Fn::Equals', 'Fn::Not', 'Fn::And', 'Fn::Or', 'Fn::FindInMap', 'Fn::Base64', 'Fn::GetAZs', 'Fn::ImportValue', 'Fn::Cidr', 'Fn::Length', 'Fn::ToJsonString']);
const deletionPolicies = new Set(['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot']);
/**
 * Properties `aws cloudformation package` rewrites from a local path to an S3 location
 * (the template is checked as it will be deployed, after that step).
 */
const packaged: Record<string, Record<string, unknown>> = {
  'AWS::Lambda::Function': { Code: { S3Bucket: 'packaged', S3Key: 'packaged' } },
  'AWS::Lambda::LayerVersion': { Content: { S3Bucket: 'packaged', S3Key: 'packaged' } },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const intrinsicOf = (v: unknown): [string, unknown] | undefined => {
  if (!isObject(v)) return undefined;
  const keys = Object.keys(v);
  return keys.length === 1 && intrinsics.has(keys[0]) ? [keys[0], v[keys[0]]] : undefined;
};

export function lintTemplate(text: string, spec: Spec): Problem[] {
  const problems: Problem[] = [];
  const report = (path: string, message: string): void => { problems.push({ path, message }); };
  const template = parse(text) as unknown;
  if (!isObject(template)) return [{ path: '', message: 'a template is a mapping' }];
  for (const key of Object.keys(template)) if (!topLevel.has(key)) report(key, `not a template section (${[...topLevel].join(', ')})`);

  const parameters = isObject(template.Parameters) ? template.Parameters : {};
  const resources = isObject(template.Resources) ? template.Resources : {};
  if (!Object.keys(resources).length) report('Resources', 'a template needs at least one resource');
  const conditions = isObject(template.Conditions) ? template.Conditions : {};
  const used = new Set<string>();
  const resourceDefs = new Map<string, ResourceDef | undefined>();

  for (const [name, parameter] of Object.entries(parameters)) {
    const path = `Parameters/${name}`;
    if (!isObject(parameter)) { report(path, 'a parameter is a mapping'); continue; }
    for (const key of Object.keys(parameter)) if (!parameterKeys.has(key)) report(`${path}/${key}`, 'not a parameter attribute');
    if (typeof parameter.Type !== 'string' || !parameterTypes.test(parameter.Type)) report(`${path}/Type`, `not a parameter type: ${JSON.stringify(parameter.Type)}`);
  }

  const lookup = (type: string): ResourceDef | undefined => {
    if (!resourceDefs.has(type)) {
      const found = spec.lookup('resource', 'cloudFormationType', 'equals', type);
      resourceDefs.set(type, found.length === 1 ? (found[0] as unknown as ResourceDef) : undefined);
    }
    return resourceDefs.get(type);
  };
  for (const [name, resource] of Object.entries(resources)) {
    if (isObject(resource) && typeof resource.Type === 'string') resourceDefs.set(`#${name}`, lookup(resource.Type));
  }

  /** An intrinsic's arguments; a Ref or GetAtt must name something the template has. */
  const checkIntrinsic = (path: string, fn: string, arg: unknown): void => {
    if (fn === 'Ref') {
      if (typeof arg !== 'string') return report(path, 'Ref takes a name');
      used.add(arg);
      if (!(arg in parameters) && !(arg in resources) && !pseudoParameters.has(arg)) report(path, `Ref to ${arg}, which is neither a parameter, a resource nor a pseudo parameter`);
      return;
    }
    if (fn === 'Fn::GetAtt') {
      const [resource, attribute] = typeof arg === 'string' ? [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)] : Array.isArray(arg) ? arg : [];
      if (typeof resource !== 'string' || typeof attribute !== 'string') return report(path, 'Fn::GetAtt takes [resource, attribute]');
      if (!(resource in resources)) return report(path, `Fn::GetAtt of ${resource}, which is not a resource`);
      const def = resourceDefs.get(`#${resource}`);
      if (def && !(attribute in def.attributes)) report(path, `${resource} has no attribute ${attribute} (it has ${Object.keys(def.attributes).join(', ') || 'none'})`);
      return;
    }
    if (fn === 'Fn::Sub') {
      const [format, variables] = typeof arg === 'string' ? [arg, {}] : Array.isArray(arg) ? arg : [undefined, undefined];
      if (typeof format !== 'string' || !isObject(variables)) return report(path, 'Fn::Sub takes a string or [string, {variables}]');
      for (const [key, value] of Object.entries(variables)) checkValue(`${path}/${key}`, value);
      for (const [, name] of format.matchAll(/\$\{(?!!)([^}]+)\}/g)) {
        if (name in variables) continue;
        if (name.includes('.') && !pseudoParameters.has(name)) checkIntrinsic(path, 'Fn::GetAtt', name);
        else checkIntrinsic(path, 'Ref', name);
      }
      return;
    }
    if (fn === 'Fn::If' && Array.isArray(arg) && typeof arg[0] === 'string' && !(arg[0] in conditions)) report(path, `Fn::If on ${arg[0]}, which is not a condition`);
    if (fn === 'Condition' && (typeof arg !== 'string' || !(arg in conditions))) report(path, `Condition ${JSON.stringify(arg)} is not a condition`);
    checkValue(path, arg);
  };

  /** Any value that may hold intrinsics (IAM documents, outputs, arguments). */
  const checkValue = (path: string, value: unknown): void => {
    const intrinsic = intrinsicOf(value);
    if (intrinsic) return checkIntrinsic(path, intrinsic[0], intrinsic[1]);
    if (Array.isArray(value)) value.forEach((item, i) => checkValue(`${path}/${i}`, item));
    else if (isObject(value)) for (const [key, item] of Object.entries(value)) checkValue(`${path}/${key}`, item);
  };

  /** A property's value against its type in the specification. */
  const checkTyped = (path: string, value: unknown, type: PropertyType): void => {
    const intrinsic = intrinsicOf(value);
    if (intrinsic) return checkIntrinsic(path, intrinsic[0], intrinsic[1]);
    const fail = (what: string) => report(path, `expected ${what}, got ${JSON.stringify(value)?.slice(0, 80)}`);
    switch (type.type) {
      case 'string': case 'date-time':
        if (typeof value !== 'string' && typeof value !== 'number') fail('a string');
        return;
      case 'integer': case 'number':
        if (typeof value === 'number' ? type.type === 'integer' && !Number.isInteger(value) : !(typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))) fail(`${type.type === 'integer' ? 'an integer' : 'a number'}`);
        return;
      case 'boolean':
        if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') fail('a boolean');
        return;
      case 'json':
        if (!isObject(value) && !Array.isArray(value)) fail('a JSON object');
        else checkValue(path, value);
        return;
      case 'array':
        if (!Array.isArray(value)) return fail('a list');
        value.forEach((item, i) => checkTyped(`${path}/${i}`, item, type.element!));
        return;
      case 'map':
        if (!isObject(value)) return fail('a map');
        for (const [key, item] of Object.entries(value)) checkTyped(`${path}/${key}`, item, type.element!);
        return;
      case 'tag':
        if (!isObject(value) || !('Key' in value) || !('Value' in value)) fail('a tag {Key, Value}');
        else checkValue(path, value);
        return;
      case 'union': {
        // The first member the value fits; if none does, the last member's problems are reported.
        const before = problems.length;
        for (const member of type.types ?? []) {
          checkTyped(path, value, member);
          if (problems.length === before) return;
          if (member !== type.types![type.types!.length - 1]) problems.length = before;
        }
        return;
      }
      case 'ref': {
        if (!isObject(value)) return fail('a mapping');
        const def = spec.get('typeDefinition', type.reference!.$ref) as unknown as { name: string; properties: Record<string, PropertyDef> };
        checkProperties(path, value, def.properties, def.name);
        return;
      }
      default:
        checkValue(path, value);
    }
  };

  const checkProperties = (path: string, value: Record<string, unknown>, defs: Record<string, PropertyDef>, what: string): void => {
    for (const [key, item] of Object.entries(value)) {
      const def = defs[key];
      if (!def) report(`${path}/${key}`, `${what} has no property ${key}`);
      else checkTyped(`${path}/${key}`, item, def.type);
    }
    for (const [key, def] of Object.entries(defs)) if (def.required && !(key in value)) report(path, `${what} requires ${key}`);
  };

  for (const [name, resource] of Object.entries(resources)) {
    const path = `Resources/${name}`;
    if (!isObject(resource)) { report(path, 'a resource is a mapping'); continue; }
    for (const key of Object.keys(resource)) if (!resourceKeys.has(key)) report(`${path}/${key}`, 'not a resource attribute');
    const type = resource.Type;
    if (typeof type !== 'string') { report(`${path}/Type`, 'a resource needs a Type'); continue; }
    for (const policy of ['DeletionPolicy', 'UpdateReplacePolicy'] as const) {
      if (policy in resource && !deletionPolicies.has(String(resource[policy]))) report(`${path}/${policy}`, `not a policy: ${JSON.stringify(resource[policy])}`);
    }
    const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
    for (const target of dependsOn) if (typeof target !== 'string' || !(target in resources)) report(`${path}/DependsOn`, `${JSON.stringify(target)} is not a resource`);
    if (resource.Condition !== undefined && !(String(resource.Condition) in conditions)) report(`${path}/Condition`, `${JSON.stringify(resource.Condition)} is not a condition`);
    if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') { checkValue(`${path}/Properties`, resource.Properties); continue; }
    const def = lookup(type);
    if (!def) { report(`${path}/Type`, `${type} is not a CloudFormation resource type`); continue; }
    const properties = resource.Properties === undefined ? {} : resource.Properties;
    if (!isObject(properties)) { report(`${path}/Properties`, 'Properties is a mapping'); continue; }
    const afterPackage = { ...properties };
    for (const [key, replacement] of Object.entries(packaged[type] ?? {})) if (typeof afterPackage[key] === 'string') afterPackage[key] = replacement;
    checkProperties(`${path}/Properties`, afterPackage, def.properties, type);
  }

  for (const [name, output] of Object.entries(isObject(template.Outputs) ? template.Outputs : {})) {
    const path = `Outputs/${name}`;
    if (!isObject(output) || !('Value' in output)) { report(path, 'an output needs a Value'); continue; }
    for (const key of Object.keys(output)) if (!outputKeys.has(key)) report(`${path}/${key}`, 'not an output attribute');
    checkValue(path, output);
  }
  for (const name of Object.keys(conditions)) checkValue(`Conditions/${name}`, conditions[name]);
  for (const name of Object.keys(parameters)) if (!used.has(name)) report(`Parameters/${name}`, 'never used (Ref or ${…})');
  return problems;
}

/** The specification, loaded once (a few seconds: it is the whole of CloudFormation). */
export async function loadSpec(): Promise<Spec> {
  const { loadAwsServiceSpec } = await import('@aws-cdk/aws-service-spec');
  return loadAwsServiceSpec();
}
