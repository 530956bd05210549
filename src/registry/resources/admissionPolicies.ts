import * as schema from '../../schema/webhooks.ts';
import { ApiError, type FieldError, type StatusReason } from '../../apimachinery/errors.ts';
import { selectorMatches, type LabelSelector } from '../../apimachinery/selectors.ts';
import { celValue, compileCel, firstLine } from '../cel.ts';
import type { AdmissionPlugin, AdmissionRequest } from '../admission.ts';
import { age, ageColumn, nameColumn } from '../printing.ts';
import { allVerbs, defineResource, type ClusterObjects, type Column, type KubeObject } from '../types.ts';

/**
 * admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding,
 * and the ValidatingAdmissionPolicy admission plugin that runs them (k8s.io/apiserver's
 * policy/validating): every write a binding's policy matches is judged by the policy's CEL
 * validations, with `object`, `oldObject`, `request`, `namespaceObject`, `params` and
 * `variables`; a failed one denies the write (Deny), warns (Warn) or is only audited (Audit).
 */

interface NamedRule { resourceNames?: string[]; operations?: string[]; apiGroups?: string[]; apiVersions?: string[]; resources?: string[]; scope?: string }
interface MatchResources { namespaceSelector?: LabelSelector; objectSelector?: LabelSelector; resourceRules?: NamedRule[]; excludeResourceRules?: NamedRule[] }
interface Validation { expression: string; message?: string; reason?: string; messageExpression?: string }
export type ValidatingAdmissionPolicy = KubeObject & {
  spec: {
    paramKind?: { apiVersion?: string; kind?: string };
    matchConstraints?: MatchResources;
    validations?: Validation[];
    failurePolicy?: string;
    auditAnnotations?: Array<{ key: string; valueExpression: string }>;
    matchConditions?: Array<{ name: string; expression: string }>;
    variables?: Array<{ name: string; expression: string }>;
  };
};
export type ValidatingAdmissionPolicyBinding = KubeObject & {
  spec: {
    policyName?: string;
    paramRef?: { name?: string; namespace?: string; selector?: LabelSelector; parameterNotFoundAction?: string };
    matchResources?: MatchResources;
    validationActions?: string[];
  };
};

const group = 'admissionregistration.k8s.io';
const actions = ['Audit', 'Deny', 'Warn'];

/** Each CEL expression of a policy that kube would refuse to compile, at its field path. */
function expressionErrors(policy: ValidatingAdmissionPolicy): FieldError[] {
  const errs: FieldError[] = [];
  const spec = policy.spec ?? {};
  const check = (field: string, expression: unknown, expect: 'bool' | 'string' | 'any') => {
    if (typeof expression !== 'string' || !expression.trim()) { errs.push({ field, type: 'FieldValueRequired', detail: 'expression is not specified' }); return; }
    const compiled = compileCel(expression, expect);
    if (compiled.error) errs.push({ field, type: 'FieldValueInvalid', value: expression, detail: compiled.error });
    // Loops within loops over an object's lists, which no schema bounds here: cel-go's cost estimate refuses them.
    else if (compiled.loopDepth > 1) errs.push({ field, type: 'FieldValueForbidden', detail: 'estimated rule cost exceeds budget: loops nested over lists (try simplifying the rule, or reducing the size of the lists it ranges over)' });
  };
  (spec.validations ?? []).forEach((v, i) => {
    check(`spec.validations[${i}].expression`, v.expression, 'bool');
    if (v.messageExpression) check(`spec.validations[${i}].messageExpression`, v.messageExpression, 'string');
  });
  (spec.matchConditions ?? []).forEach((m, i) => check(`spec.matchConditions[${i}].expression`, m.expression, 'bool'));
  (spec.variables ?? []).forEach((v, i) => check(`spec.variables[${i}].expression`, v.expression, 'any'));
  if (!spec.validations?.length && !spec.auditAnnotations?.length) {
    for (const field of ['spec.validations', 'spec.auditAnnotations']) errs.push({ field, type: 'FieldValueRequired', detail: 'validations or auditAnnotations must contain at least one item' });
  }
  if (!spec.matchConstraints) errs.push({ field: 'spec.matchConstraints', type: 'FieldValueRequired', detail: '' });
  else if (!spec.matchConstraints.resourceRules?.length) errs.push({ field: 'spec.matchConstraints.resourceRules', type: 'FieldValueRequired', detail: '' });
  if (spec.failurePolicy !== undefined && spec.failurePolicy !== 'Fail' && spec.failurePolicy !== 'Ignore') {
    errs.push({ field: 'spec.failurePolicy', type: 'FieldValueNotSupported', value: spec.failurePolicy, detail: 'supported values: "Fail", "Ignore"' });
  }
  return errs;
}

function bindingErrors(binding: ValidatingAdmissionPolicyBinding): FieldError[] {
  const errs: FieldError[] = [];
  const spec = binding.spec ?? {};
  if (!spec.policyName) errs.push({ field: 'spec.policyName', type: 'FieldValueRequired', detail: '' });
  const given = spec.validationActions ?? [];
  if (!given.length) errs.push({ field: 'spec.validationActions', type: 'FieldValueRequired', detail: 'at least one validation action is required' });
  given.forEach((a, i) => {
    if (!actions.includes(a)) errs.push({ field: `spec.validationActions[${i}]`, type: 'FieldValueNotSupported', value: a, detail: 'supported values: "Audit", "Deny", "Warn"' });
    else if (given.indexOf(a) < i) errs.push({ field: `spec.validationActions[${i}]`, type: 'FieldValueDuplicate', value: a });
  });
  if (given.includes('Deny') && given.includes('Warn')) {
    errs.push({ field: 'spec.validationActions', type: 'FieldValueInvalid', value: given, detail: 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)' });
  }
  return errs;
}

const common = { group, version: 'v1', namespaced: false, verbs: allVerbs, categories: ['api-extensions'] };

export const validatingadmissionpolicies = defineResource<ValidatingAdmissionPolicy>({
  ...common, kind: 'ValidatingAdmissionPolicy', plural: 'validatingadmissionpolicies', singular: 'validatingadmissionpolicy',
  subresources: ['status'], schema: schema.validatingAdmissionPolicy,
  columns: [
    nameColumn,
    { name: 'Validations', type: 'integer', description: 'Validations indicates the number of validation rules defined in this configuration' },
    { name: 'ParamKind', type: 'string', description: 'ParamKind specifies the kind of resources used to parameterize this policy' },
    ageColumn,
  ] satisfies Column[],
  row: (p, { now }) => [p.metadata.name, p.spec?.validations?.length ?? 0, p.spec?.paramKind ? `${p.spec.paramKind.apiVersion ?? ''}/${p.spec.paramKind.kind ?? ''}` : '<unset>', age(p, now)],
  strategy: {
    tracksGeneration: true, allowUnconditionalUpdate: true,
    defaults(p) { if (p.spec) p.spec.failurePolicy ??= 'Fail'; },
    validate: expressionErrors,
  },
});

export const validatingadmissionpolicybindings = defineResource<ValidatingAdmissionPolicyBinding>({
  ...common, kind: 'ValidatingAdmissionPolicyBinding', plural: 'validatingadmissionpolicybindings', singular: 'validatingadmissionpolicybinding',
  schema: schema.validatingAdmissionPolicyBinding,
  columns: [
    nameColumn,
    { name: 'PolicyName', type: 'string', description: 'PolicyName indicates the policy definition which the policy binding binded to' },
    { name: 'ParamRef', type: 'string', description: 'ParamRef indicates the param resource which sets the configration param' },
    ageColumn,
  ] satisfies Column[],
  row: (b, { now }) => [b.metadata.name, b.spec?.policyName ?? '', paramRefCell(b.spec?.paramRef), age(b, now)],
  strategy: { tracksGeneration: true, allowUnconditionalUpdate: true, validate: bindingErrors },
});

function paramRefCell(ref: ValidatingAdmissionPolicyBinding['spec']['paramRef']): string {
  if (!ref) return '<unset>';
  if (ref.name) return ref.namespace ? `${ref.namespace}/${ref.name}` : `*/${ref.name}`;
  if (ref.selector) return Object.entries(ref.selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  return '<unset>';
}

// ---------------------------------------------------------------------------------------------
// The admission plugin.

const wildcardMatch = (list: string[] | undefined, value: string) => !!list?.some((x) => x === '*' || x === value);

/** Whether a rule names the request's operation, group, version and resource (`pods`, `pods/status`, `*`, `pods/*`, all subresources as `*` slash `*`). */
function ruleMatches(rule: NamedRule, request: AdmissionRequest): boolean {
  const { def } = request;
  if (!wildcardMatch(rule.operations, request.operation)) return false;
  if (!wildcardMatch(rule.apiGroups, def.group) || !wildcardMatch(rule.apiVersions, def.version)) return false;
  const sub = request.subresource ?? '';
  const resourceMatches = (rule.resources ?? []).some((r) => {
    const [res, rsub] = r.split('/', 2);
    if (rsub === undefined) return !sub && (res === '*' || res === def.plural);
    return (res === '*' || res === def.plural) && (rsub === '*' || rsub === sub);
  });
  if (!resourceMatches) return false;
  const scope = rule.scope ?? '*';
  if (scope === 'Namespaced' && !def.namespaced) return false;
  if (scope === 'Cluster' && def.namespaced) return false;
  return !rule.resourceNames?.length || rule.resourceNames.includes(request.name);
}

/** The labels an object selector sees: the new object's, or the old one's on DELETE. */
const objectLabels = (request: AdmissionRequest) => (request.object ?? request.oldObject)?.metadata.labels ?? {};

/** `namespaceObject` is asked only when a namespace selector has to be judged. */
async function matchesResources(match: MatchResources | undefined, request: AdmissionRequest, namespaceObject: () => Promise<KubeObject | null>): Promise<boolean> {
  if (!match) return true;
  if (match.resourceRules && !match.resourceRules.some((r) => ruleMatches(r, request))) return false;
  if (match.excludeResourceRules?.some((r) => ruleMatches(r, request))) return false;
  if (match.objectSelector && !selectorMatches(match.objectSelector, objectLabels(request))) return false;
  if (match.namespaceSelector && request.def.namespaced) {
    if (!selectorMatches(match.namespaceSelector, (await namespaceObject())?.metadata.labels ?? {})) return false;
  }
  return true;
}

class PolicyFailure extends Error {}

/** Evaluates one expression; an error is the policy's failure (Fail) or nothing (Ignore). */
function evaluate(expression: string, expect: 'bool' | 'string' | 'any', vars: Record<string, unknown>): unknown {
  const compiled = compileCel(expression, expect);
  if (compiled.unsupported) return undefined;
  if (!compiled.program) throw new PolicyFailure(`compilation error: ${compiled.error}`);
  try {
    return compiled.program(vars);
  } catch (err) {
    throw new PolicyFailure(`expression '${expression}' resulted in error: ${firstLine(err)}`);
  }
}

function denied(request: AdmissionRequest, policy: string, binding: string, message: string, reason: string | undefined): ApiError {
  const { def } = request;
  const text = `ValidatingAdmissionPolicy '${policy}' with binding '${binding}' denied request: ${message}`;
  const name = request.name || request.object?.metadata.name || request.object?.metadata.generateName || 'Unknown';
  const resource = def.group ? `${def.plural}.${def.group}` : def.plural;
  // reasonToCode: a validation's reason picks the code; any other reason is a 422.
  const codes: Partial<Record<StatusReason, number>> = { Forbidden: 403, Unauthorized: 401, RequestEntityTooLarge: 413, Invalid: 422 };
  const known = reason !== undefined && Object.hasOwn(codes, reason) ? reason as StatusReason : 'Invalid';
  return new ApiError(codes[known] ?? 422, known, `${resource} "${name}" is forbidden: ${text}`, {
    name, group: def.group || undefined, kind: def.plural, causes: [{ message: text }],
  });
}

async function admitPolicies(request: AdmissionRequest, objects: ClusterObjects): Promise<void> {
  // Only clients' requests are judged: the server's own writes (a new cluster's ~500 objects, the
  // controllers', scheduler's and kubelets') would each pay a list of the bindings, which on DynamoDB
  // made provisioning 1.7x slower (README, Known differences).
  if (!request.ctx.user) return;
  if (request.def.group === group && (request.def.plural === 'validatingadmissionpolicies' || request.def.plural === 'validatingadmissionpolicybindings')) return;
  const bindings = (await objects.list(validatingadmissionpolicybindings, undefined)).items as ValidatingAdmissionPolicyBinding[];
  if (!bindings.length) return;
  // The request's namespace and its CEL variables, each read or converted once, when a binding first needs them.
  let namespace: Promise<KubeObject | null> | undefined;
  const namespaceOf = () => (namespace ??= (async () => {
    const ns = objects.catalog.find('', 'v1', 'namespaces');
    if (!request.def.namespaced || !request.namespace || !ns) return null;
    try { return await objects.get(ns, undefined, request.namespace); } catch { return null; /* not there */ }
  })());
  let shared: Promise<Record<string, unknown>> | undefined;
  const variablesOf = () => (shared ??= namespaceOf().then((nsObject) => {
    const user = request.ctx.user;
    return {
      object: request.operation === 'DELETE' ? null : celValue(request.object ?? null),
      oldObject: request.operation === 'CREATE' ? null : celValue(request.oldObject ?? null),
      namespaceObject: nsObject ? celValue(nsObject) : null,
      params: null,
      request: celValue({
        kind: { group: request.def.group, version: request.def.version, kind: request.def.kind },
        resource: { group: request.def.group, version: request.def.version, resource: request.def.plural },
        subResource: request.subresource ?? '', name: request.name, namespace: request.namespace ?? '', operation: request.operation,
        userInfo: { username: user?.username ?? '', groups: user?.groups ?? [] }, dryRun: request.dryRun,
      }),
    };
  }));
  for (const binding of bindings) {
    const policyName = binding.spec?.policyName;
    if (!policyName) continue;
    let policy: ValidatingAdmissionPolicy;
    try { policy = await objects.get(validatingadmissionpolicies, undefined, policyName); } catch { continue; }
    const spec = policy.spec ?? {};
    if (!(await matchesResources(spec.matchConstraints, request, namespaceOf))) continue;
    if (binding.spec.matchResources && !(await matchesResources(binding.spec.matchResources, request, namespaceOf))) continue;
    // The policy's own `variables` beside the request's.
    const vars: Record<string, unknown> = { ...(await variablesOf()) };
    const failClosed = (spec.failurePolicy ?? 'Fail') === 'Fail';
    const bindingActions = binding.spec.validationActions ?? [];
    const report = (message: string, reason?: string) => {
      if (bindingActions.includes('Deny')) throw denied(request, policyName, binding.metadata.name!, message, reason);
      if (bindingActions.includes('Warn')) request.warnings.push(`Validation failed for ValidatingAdmissionPolicy '${policyName}' with binding '${binding.metadata.name}': ${message}`);
    };
    try {
      // Variables are computed when a validation reads them, once each (cel-go's lazy `variables`).
      const computed: Record<string, unknown> = {};
      const values = new Map<string, unknown>();
      for (const v of spec.variables ?? []) {
        const get = () => {
          if (!values.has(v.name)) values.set(v.name, evaluate(v.expression, 'any', vars));
          return values.get(v.name);
        };
        Object.defineProperty(computed, v.name, { enumerable: true, get });
      }
      vars.variables = computed;
      if (!(spec.matchConditions ?? []).every((m) => evaluate(m.expression, 'bool', vars) !== false)) continue;
      for (const validation of spec.validations ?? []) {
        if (evaluate(validation.expression, 'bool', vars) !== false) continue;
        let message = '';
        if (validation.messageExpression) {
          try {
            const m = evaluate(validation.messageExpression, 'string', vars);
            if (typeof m === 'string' && !m.includes('\n')) message = m.trim();
          } catch { /* kube logs it and falls back */ }
        }
        message ||= validation.message?.trim() || `failed expression: ${validation.expression.trim()}`;
        report(message, validation.reason);
      }
    } catch (err) {
      if (!(err instanceof PolicyFailure)) throw err;
      if (failClosed) report(err.message);
    }
  }
}

/** The ValidatingAdmissionPolicy plugin, validating phase (after the built-in plugins, before ResourceQuota, as in kube-apiserver). */
export const validatingAdmissionPolicy: AdmissionPlugin = { name: 'ValidatingAdmissionPolicy', phase: 'validating', admit: admitPolicies };
