import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { celErrors, ruleProblems } from '../src/registry/celRules.ts';
import { validateValue } from '../src/registry/structural.ts';
import { validatingadmissionpolicies, type ValidatingAdmissionPolicy } from '../src/registry/resources/admissionPolicies.ts';
import type { JSONSchemaProps } from '../src/registry/structural.ts';

const rules = (...rule: string[]) => rule.map((r) => ({ rule: r }));
const list = (maxItems?: number, ...rule: string[]): JSONSchemaProps => ({
  type: 'object',
  properties: { spec: { type: 'object', properties: { items: { type: 'array', ...(maxItems ? { maxItems } : {}), items: { type: 'string' }, 'x-kubernetes-validations': rules(...rule) } } } },
});

describe('CEL rules (x-kubernetes-validations)', () => {
  it('integers are CEL ints, declared names that are CEL words are escaped as kube escapes them', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: { spec: { type: 'object', 'x-kubernetes-validations': rules('self.count + 1 == 3', 'self.__namespace__ == "ns"', 'self.max__dash__size == 2'), properties: { count: { type: 'integer' }, namespace: { type: 'string' }, 'max-size': { type: 'integer' } } } },
    };
    assert.deepEqual(celErrors({ spec: { count: 2, namespace: 'ns', 'max-size': 2 } }, schema), []);
    assert.deepEqual(celErrors({ spec: { count: 1, namespace: 'ns', 'max-size': 2 } }, schema), [{ field: 'spec', type: 'FieldValueInvalid', detail: 'failed rule: self.count + 1 == 3' }]);
  });

  it('an evaluation error names the rule as kube does; a scalar node shows its value', () => {
    const schema: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-validations': rules('self.missing > 1'), properties: { n: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self < 5', message: 'too big' }] } } } } };
    assert.deepEqual(celErrors({ spec: { n: 7 } }, schema), [
      { field: 'spec', type: 'FieldValueInvalid', detail: 'no such key: missing evaluating rule: self.missing > 1' },
      { field: 'spec.n', type: 'FieldValueInvalid', value: 7, detail: 'too big' },
    ]);
  });

  it('transition rules run only on updates, against the stored value', () => {
    const schema: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'object', properties: { mode: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'immutable' }] } } } } };
    assert.deepEqual(celErrors({ spec: { mode: 'a' } }, schema), []);
    assert.deepEqual(celErrors({ spec: { mode: 'b' } }, schema, { spec: { mode: 'a' } }, true), [{ field: 'spec.mode', type: 'FieldValueInvalid', value: 'b', detail: 'immutable' }]);
    assert.deepEqual(celErrors({ spec: { mode: 'b' } }, schema, { spec: {} }, true), [], 'no old value: the transition rule is not run');
  });

  it('a CRD is refused for a syntax error or for nested loops over a list without maxItems, and accepted with one', () => {
    assert.match(ruleProblems(list(undefined, 'self.size() >'), 'spec.validation.openAPIV3Schema')[0].detail!, /^compilation failed: ERROR: <input>: unexpected token/);
    const nested = 'self.all(a, self.exists_one(b, a == b))';
    const unbounded = ruleProblems(list(undefined, nested), 'root');
    assert.equal(unbounded.length, 1);
    assert.equal(unbounded[0].field, 'root.properties[spec].properties[items].x-kubernetes-validations[0].rule');
    assert.match(unbounded[0].detail!, /^estimated rule cost exceeds budget/);
    assert.deepEqual(ruleProblems(list(64, nested), 'root'), []);
    assert.deepEqual(celErrors({ spec: { items: ['a', 'b', 'a'] } }, list(64, nested)), [{ field: 'spec.items', type: 'FieldValueInvalid', detail: `failed rule: ${nested}` }]);
  });

  it('one object costs at most a bounded number of rule evaluations', () => {
    const schema: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'array', items: { type: 'string', 'x-kubernetes-validations': rules('self.size() < 10') } } } };
    const errors = celErrors({ spec: Array.from({ length: 20_000 }, () => 'x') }, schema);
    assert.deepEqual(errors, [{ field: 'spec[10000]', type: 'FieldValueInvalid', detail: 'validation failed due to running out of cost budget, no further validation rules will be run' }]);
  });

  it('matches() and a schema pattern run on RE2: a pattern that backtracking takes ages over is answered, lookarounds are refused', { timeout: 30_000 }, () => {
    // Under a backtracking RegExp each of these would run for hours (2^40 ways to split the a's); on RE2 it is linear.
    const value = `${'a'.repeat(40)}!`;
    const schema: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'object', properties: { name: { type: 'string', pattern: '^(a+)+$', 'x-kubernetes-validations': [{ rule: "self.matches('^(a+)+$')", message: 'only a' }] } } } } };
    assert.deepEqual(celErrors({ spec: { name: value } }, schema), [{ field: 'spec.name', type: 'FieldValueInvalid', value, detail: 'only a' }]);
    assert.deepEqual(celErrors({ spec: { name: 'aaa' } }, schema), []);
    assert.equal(validateValue({ spec: { name: value } }, schema, '')[0]?.detail, "spec.name in body should match '^(a+)+$'");
    const lookahead: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'string', 'x-kubernetes-validations': rules("self.matches('a(?=b)')") } } };
    assert.match(ruleProblems(lookahead, 'root')[0]?.detail ?? '', /^compilation failed: ERROR: <input>: invalid regular expression: a\(\?=b\)/);
  });

  it('a ValidatingAdmissionPolicy is refused for an expression that does not compile or loops within a loop over lists', () => {
    const policy = (expression: string): ValidatingAdmissionPolicy => ({
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'p' },
      spec: { matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }] }, validations: [{ expression }] },
    });
    const validate = (expression: string) => validatingadmissionpolicies.strategy!.validate!(policy(expression));
    assert.deepEqual(validate('object.spec.containers.all(c, c.image != "")'), []);
    assert.deepEqual(validate('object.spec.containers.all(c, object.spec.containers.exists_one(d, d.name == c.name))').map((e) => `${e.field}: ${e.type}`), ['spec.validations[0].expression: FieldValueForbidden']);
    assert.match(validate('object.spec.containers.all(c,').map((e) => e.detail).join(), /^compilation failed: ERROR: <input>: /);
  });
});
