import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { podRequests } from '../src/controlplane/scheduler/resources.ts';
import { isNegativeQuantity, quantityError, quantityValue } from '../src/apimachinery/quantity.ts';
import { isDNS1123Label, isDNS1123Subdomain, isLabelValue, isQualifiedName, validateAnnotations } from '../src/apimachinery/validation.ts';
import { ApiError } from '../src/apimachinery/errors.ts';
import { matches, parseFieldSelector, parseLabelSelector, parseLabelSelectorInTurns } from '../src/apimachinery/selectors.ts';
import * as core from '../src/schema/core.ts';
import { utf8Length } from '../src/apimachinery/utf8.ts';
import { hash64 } from '../src/apimachinery/hash.ts';
import { decodeDocument, decodeDocumentInTurns } from '../src/server/codec.ts';
import { strategicMergePatch } from '../src/server/strategicMerge.ts';
import { rawAgent, send, statusProblem, type RawResponse } from './helpers/rawHttp.ts';
import { startNodeServer, type TestServer } from '../harness/server.ts';

/**
 * Every parser of client input is linear in its input and bounded where
 * kube-apiserver bounds it, with kube-apiserver's messages (apimachinery v0.35:
 * pkg/labels/selector.go, pkg/fields/selector.go, pkg/api/resource/quantity.go,
 * pkg/api/validate/content, pkg/util/validation, pkg/apis/core/validation).
 *
 * Linearity is shown without a clock: the scanners never hand a client's string to
 * a regular expression with a quantifier (a spy on RegExp.prototype.exec, which test,
 * match, search, replace and split all go through, records what they see), strategic merge's work is counted
 * in array-helper iterations and sort comparisons and grows ~n log n when the input
 * grows tenfold, and the HTTP cases send the shapes that once stalled the event loop
 * for seconds, at sizes where a quadratic parser would take far longer than the
 * (generous) test timeouts.
 */

const quantityMessage = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** Every regular expression run over 1,000 or more characters while `work` ran (sync or async), with the longest input. */
async function regexesOverLongInput(work: () => unknown): Promise<Map<string, number>> {
  const exec = RegExp.prototype.exec;
  const seen = new Map<string, number>();
  RegExp.prototype.exec = function (this: RegExp, s: string) {
    const n = String(s).length;
    if (n >= 1000) seen.set(String(this), Math.max(seen.get(String(this)) ?? 0, n));
    return exec.call(this, s);
  };
  try {
    try { await work(); } catch (err) { if (!(err instanceof ApiError)) throw err; }
  } finally {
    RegExp.prototype.exec = exec;
  }
  return seen;
}

/**
 * A regular expression with at most one quantifier (escapes, character classes and
 * `(?:` aside) cannot backtrack more than once per character: linear. The URL layer's
 * own (`[%+]`, `^\/[…]*$`) are of this kind; the old selector and quantity expressions
 * (`^([^=!]+?)\s*(==|=|!=)\s*(.*)$`) were not.
 */
function quantifiers(source: string): number {
  const bare = source.replace(/\\./g, 'x').replace(/\[[^\]]*\]/g, 'x').replace(/\(\?[:=!]/g, '(');
  return (bare.match(/[*+?]|\{\d/g) ?? []).length;
}
function assertLinearRegexes(seen: Map<string, number>, what: string): void {
  for (const [re, length] of seen) assert.ok(quantifiers(re) <= 1, `${what}: ${re} ran over ${length} characters of client input`);
}

/** Steps of `work` (sync or async): elements visited by array helpers plus sort comparisons; no clock. */
async function countSteps(work: () => unknown): Promise<number> {
  const proto = Array.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const names = ['findIndex', 'find', 'indexOf', 'lastIndexOf', 'includes', 'some', 'every', 'filter', 'map', 'flatMap', 'forEach', 'reduce'];
  const saved = Object.fromEntries(names.map((n) => [n, proto[n]]));
  const sort = Array.prototype.sort;
  let steps = 0;
  for (const n of names) {
    proto[n] = function (this: unknown[], ...args: unknown[]) { steps += this.length; return saved[n].apply(this, args); };
  }
  Array.prototype.sort = function <T>(this: T[], compare?: (a: T, b: T) => number) {
    steps += this.length;
    return sort.call(this, compare && ((a: T, b: T) => { steps++; return compare(a, b); })) as T[];
  };
  try {
    await work();
  } finally {
    for (const n of names) proto[n] = saved[n];
    Array.prototype.sort = sort;
  }
  return steps;
}

describe('selector parsers (unit)', () => {
  it('label selectors parse as labels.Parse does', () => {
    assert.deepEqual(parseLabelSelector('x in (foo,,baz),y,z notin ()'), [
      { key: 'x', op: 'in', values: ['', 'baz', 'foo'] }, { key: 'y', op: 'exists', values: [] }, { key: 'z', op: 'notin', values: [''] },
    ]);
    assert.deepEqual(parseLabelSelector(' a = b , !c '), [{ key: 'a', op: 'eq', values: ['b'] }, { key: 'c', op: 'notexists', values: [] }]);
    assert.deepEqual(parseLabelSelector('in=in,n>3'), [{ key: 'in', op: 'eq', values: ['in'] }, { key: 'n', op: 'gt', values: ['3'] }]);
    assert.equal(matches(parseLabelSelector('n>3,n<10'), (k) => ({ n: '5' } as Record<string, string>)[k]), true);
    assert.equal(matches(parseLabelSelector('n>3'), (k) => ({ n: 'x' } as Record<string, string>)[k]), false);
  });

  it('a long label selector is read in slices, pausing between them, to the same requirements and errors', async () => {
    let pauses = 0;
    const pause = async () => { pauses++; };
    const many = `${'a,'.repeat(30_000)}a`;
    assert.deepEqual(await parseLabelSelectorInTurns(many, pause), parseLabelSelector(many));
    // Slices of at most 512 tokens: ~0.6 ms of the loop each, where 4,096 took 5-14 ms (a victim's p99 is ~3 ms).
    assert.ok(pauses >= 100, `60,001 tokens read with ${pauses} pauses`);
    pauses = 0;
    const values = `x in (${'v,'.repeat(30_000)}w)`;
    assert.deepEqual(await parseLabelSelectorInTurns(values, pause), parseLabelSelector(values));
    assert.ok(pauses >= 100, `a list of 30,001 values read with ${pauses} pauses`);
    pauses = 0;
    assert.deepEqual(await parseLabelSelectorInTurns('app=web,tier!=db', pause), parseLabelSelector('app=web,tier!=db'));
    assert.equal(pauses, 0, "kubectl's selectors are read at once");
    await assert.rejects(parseLabelSelectorInTurns('a,'.repeat(30_000), pause), (err: unknown) => err instanceof ApiError && err.code === 400 && /expected: identifier after ','/.test(err.message));
  });

  it('label selector errors carry kube-apiserver’s messages', () => {
    const message = (s: string) => {
      try { parseLabelSelector(s); } catch (err) { assert.ok(err instanceof ApiError && err.code === 400); return err.message; }
      return assert.fail(`${s} parsed`);
    };
    assert.equal(message('a in ('), "unable to parse requirement: found '', expected: ',', ')' or identifier");
    assert.equal(message('a notin b'), "unable to parse requirement: found 'b' expected: '('");
    assert.equal(message('=x'), "found '=', expected: !, identifier, or 'end of string'");
    assert.equal(message('a=b=c'), "found '=', expected: ',' or 'end of string'");
    assert.equal(message('a,,=b'), "found ',', expected: identifier after ','");
    assert.equal(message('a!!=b'), "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt");
    assert.equal(message('x<abc'), "unable to parse requirement: values[0]: Invalid value: \"abc\": for 'Gt', 'Lt' operators, the value must be an integer");
    assert.equal(message(`app=${'x'.repeat(64)}`), `unable to parse requirement: values[0][app]: Invalid value: "${'x'.repeat(64)}": must be no more than 63 bytes`);
    assert.equal(message(`example.com/${'n'.repeat(64)}`), `unable to parse requirement: <nil>: Invalid value: "example.com/${'n'.repeat(64)}": name part must be no more than 63 bytes`);
    assert.match(message('a/b/c'), /^unable to parse requirement: <nil>: Invalid value: "a\/b\/c": a valid label key must consist of alphanumeric characters/);
    assert.match(message(`${'p'.repeat(254)}/n`), /: prefix part must be no more than 253 bytes$/);
  });

  it('field selectors parse as fields.ParseSelector does: escapes, no trimming', () => {
    assert.deepEqual(parseFieldSelector('b!=2,a==1'), [{ key: 'a', op: 'eq', values: ['1'] }, { key: 'b', op: 'neq', values: ['2'] }]);
    assert.deepEqual(parseFieldSelector('x=a\\,b\\=c'), [{ key: 'x', op: 'eq', values: ['a,b=c'] }]);
    assert.deepEqual(parseFieldSelector('status.phase = Running'), [{ key: 'status.phase ', op: 'eq', values: [' Running'] }]);
    assert.throws(() => parseFieldSelector('metadata.name'), { code: 400, message: "invalid selector: 'metadata.name'; can't understand 'metadata.name'" });
    assert.throws(() => parseFieldSelector('x=a=b'), { code: 400, message: 'invalid field selector: unescaped character in value: 61' });
    assert.throws(() => parseFieldSelector('x=a\\q'), { code: 400, message: 'invalid field selector: invalid escape sequence: \\q' });
  });

  it('no regular expression ever sees a long selector, name, label or quantity', async () => {
    const n = 100_000;
    const shapes: Array<[string, () => unknown]> = [
      ['field selector of spaces', () => parseFieldSelector(`a${' '.repeat(n)}b`)],
      ['long field selector value', () => parseFieldSelector(`metadata.name=${'x'.repeat(n)}`)],
      ['label selector of spaces', () => parseLabelSelector(`a${' '.repeat(n)}b`)],
      ['long label selector value', () => parseLabelSelector(`app in (${'v,'.repeat(n / 2)}w)`)],
      ['long label selector key', () => parseLabelSelector(`${'a.'.repeat(n / 2)}/b=c`)],
      ['long label selector, gt', () => parseLabelSelector(`n>${'9'.repeat(n)}`)],
      ['qualified name', () => isQualifiedName(`${'a-'.repeat(n / 2)}/${'b.'.repeat(n / 2)}`)],
      ['label value', () => isLabelValue('v_'.repeat(n / 2))],
      ['subdomain', () => isDNS1123Subdomain(`${'a-'.repeat(n / 2)}.`)],
      ['dns label', () => isDNS1123Label('a.'.repeat(n / 2))],
      ['annotations', () => validateAnnotations({ [`${'k'.repeat(n)}`]: 'v'.repeat(n) }, 'metadata.annotations')],
      ['quantity of digits', () => quantityError(`${'1'.repeat(n)}x`)],
      ['quantity fraction', () => quantityError(`${'1'.repeat(n)}.${'1'.repeat(n)}e-1`)],
      ['quantity exponent', () => quantityError(`1e${'1'.repeat(n)}`)],
      ['quantity value', () => quantityValue('1'.repeat(n))],
      ['negative quantity', () => isNegativeQuantity(`-${'0'.repeat(n)}`)],
      ['scheduler requests', () => podRequests({ containers: [{ resources: { requests: { cpu: '1'.repeat(n), memory: `${'2'.repeat(n)}Mi` } } }] })],
    ];
    // The one kind allowed: a search with no quantifier at all (utf8Length's scan for the first non-ASCII character).
    for (const [name, work] of shapes) assert.deepEqual([...(await regexesOverLongInput(work)).keys()].filter((re) => quantifiers(re) > 0), [], `${name}: a regular expression with a quantifier saw the client's input`);
  });
});

describe('utf8Length (unit)', () => {
  it('counts what TextEncoder writes, wherever the first non-ASCII character is', () => {
    const encoded = (s: string) => new TextEncoder().encode(s).length;
    const samples = ['', 'abc', 'é', 'aé', 'éa', '日本', 'x'.repeat(1000) + '😀', '😀' + 'x'.repeat(10), 'a\ud800b', 'a\udc00', '\ud800', 'ab\u07ffc\u0800', 'z'.repeat(70_000) + 'ü' + 'z'.repeat(10)];
    for (const s of samples) assert.equal(utf8Length(s), encoded(s), JSON.stringify(s.slice(0, 20)));
  });
});

describe('hash64 (unit)', () => {
  it('is FNV-1a 64 (the published vectors) over UTF-16 code units, as the BigInt version it replaced', () => {
    assert.equal(hash64(''), 'cbf29ce484222325');
    assert.equal(hash64('a'), 'af63dc4c8601ec8c');
    assert.equal(hash64('foobar'), '85944171f73967e8');
    const reference = (text: string) => {
      let h = 0xcbf29ce484222325n;
      for (let i = 0; i < text.length; i++) h = ((h ^ BigInt(text.charCodeAt(i))) * 0x100000001b3n) & 0xffffffffffffffffn;
      return h.toString(16).padStart(16, '0');
    };
    for (const text of ['pod-1\u0000Warning\u0000FailedScheduling', 'ü日本😀', '\uffff'.repeat(50), 'x'.repeat(1000)]) assert.equal(hash64(text), reference(text), JSON.stringify(text.slice(0, 20)));
  });
});

describe('a large body is decoded on turns of its own (unit)', () => {
  it('a turn before it is read as text, another before it is parsed; the same value and errors as in one go', async () => {
    const body = new TextEncoder().encode(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { v: 'x'.repeat(100_000) } }));
    const steps: string[] = [];
    const turn = async () => { steps.push('turn'); };
    assert.deepEqual(await decodeDocumentInTurns(body, 'application/json', 'ConfigMap', turn), decodeDocument(body, 'application/json', 'ConfigMap'));
    assert.deepEqual(steps, ['turn', 'turn']);
    // Invalid UTF-8 is found on the second step, before the second turn.
    steps.length = 0;
    const broken = Uint8Array.from([...body.subarray(0, 50), 0xff, ...body.subarray(50)]);
    await assert.rejects(decodeDocumentInTurns(broken, 'application/json', 'ConfigMap', turn), (err: ApiError) => err.code === 400 && err.message === 'the request body is not valid UTF-8');
    assert.deepEqual(steps, ['turn']);
    await assert.rejects(decodeDocumentInTurns(body, 'text/plain', 'ConfigMap', turn), (err: ApiError) => err.code === 415);
  });
});

describe('quantities (unit)', () => {
  it('ParseQuantity’s errors, and the values the scheduler uses', () => {
    assert.equal(quantityError('100m'), undefined);
    assert.equal(quantityError('1.G'), undefined);
    assert.equal(quantityError(' 5 '), undefined);
    assert.equal(quantityError('abc'), quantityMessage);
    assert.equal(quantityError('25%'), quantityMessage);
    assert.equal(quantityError('1.2.3'), quantityMessage);
    assert.equal(quantityError('32MMi'), "unable to parse quantity's suffix");
    assert.equal(quantityError('1e'), "unable to parse quantity's suffix");
    assert.equal(quantityError('.e-10'), 'unable to parse numeric part of quantity');
    assert.equal(quantityValue('128Mi'), 128 * 2 ** 20);
    assert.equal(quantityValue('100m'), 0.1);
    assert.equal(quantityValue('1e-400'), 0);
    // Past a double's range, however it is written (and each suffix's scale taken into account).
    const digits = '9'.repeat(25_000);
    for (const q of [digits, `${digits}m`, `${digits}n`, `${digits}Ki`, `1${'0'.repeat(400)}n`, `${digits}.5e-24000`]) assert.equal(quantityValue(q), Infinity, q.slice(-12));
    assert.equal(quantityValue(`-${digits}`), -Infinity);
    assert.equal(quantityValue(`${'0'.repeat(25_000)}5`), 5);
    assert.equal(quantityValue(`1${'0'.repeat(300)}`), 1e300);
    assert.equal(quantityValue(`${'9'.repeat(40)}e-30`), 1e10);
    assert.equal(isNegativeQuantity('-1'), true);
    assert.equal(isNegativeQuantity('-0'), false);
  });

  it('an absurd request is held at int64’s maximum: it fits no node and breaks no sum', () => {
    const r = podRequests({ containers: [{ resources: { requests: { cpu: '9'.repeat(250_000), memory: '1e400' } } }, { resources: { requests: { cpu: '1' } } }] });
    assert.equal(r.cpu, 2 ** 63 - 1);
    assert.equal(r.memory, 2 ** 63 - 1);
  });
});

describe('strategic merge patch is O(n log n) in list length (unit)', () => {
  const finalizers = (n: number) => Array.from({ length: n }, (_, i) => `example.com/f${i}`);
  const containers = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, image: 'nginx' }));

  it('reordering n finalizers', async () => {
    const steps = async (n: number) => {
      const original = { metadata: { name: 'x', finalizers: finalizers(n) } };
      const patch = { metadata: { finalizers: finalizers(n).reverse() } };
      let out: Record<string, unknown> = {};
      const count = await countSteps(() => { out = strategicMergePatch(original, patch, core.configMap); });
      assert.deepEqual((out.metadata as { finalizers: string[] }).finalizers, finalizers(n).reverse());
      return count;
    };
    const small = await steps(400), big = await steps(4000);
    assert.ok(big <= 20 * small, `10× the finalizers took ${(big / small).toFixed(1)}× the steps (${small} → ${big})`);
  });

  it('merging, deleting and reordering n containers by merge key', async () => {
    const steps = async (n: number) => {
      const original = { spec: { containers: containers(n) } };
      const kept = containers(n).slice(n / 2).reverse().map((c) => ({ name: c.name, image: 'nginx:2' }));
      const patch = { spec: {
        '$setElementOrder/containers': kept.map((c) => ({ name: c.name })),
        containers: [...kept, ...containers(n).slice(0, n / 2).map((c) => ({ name: c.name, $patch: 'delete' }))],
      } };
      let out: Record<string, unknown> = {};
      const count = await countSteps(() => { out = strategicMergePatch(original, patch, core.pod); });
      assert.deepEqual((out.spec as { containers: unknown[] }).containers, kept);
      return count;
    };
    const small = await steps(400), big = await steps(4000);
    assert.ok(big <= 20 * small, `10× the containers took ${(big / small).toFixed(1)}× the steps (${small} → ${big})`);
  });
});

describe('bounded, linear parsers over the HTTP API (Node entry)', () => {
  let server: TestServer;
  let token: string;
  const agent = rawAgent(4);
  before(async () => { server = await startNodeServer(); token = await server.token(); });
  after(async () => { agent.destroy(); await server.close(); });

  type Answer = RawResponse & { json: Record<string, any> };
  const call = async (method: string, path: string, body?: unknown, type = 'application/json'): Promise<Answer> => {
    const res = await send(server.url, agent, {
      method, path, headers: { authorization: `Bearer ${token}`, 'content-type': type },
      body: body === undefined ? undefined : new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)),
    }, { timeoutMs: 60_000 });
    let json: Record<string, any> = {};
    try { json = JSON.parse(res.body); } catch { /* not JSON: the assertions below say so */ }
    return { ...res, json };
  };
  const expectStatus = (res: Answer, code: number, reason: string, message?: string) => {
    assert.equal(res.status, code, res.body.slice(0, 400));
    assert.equal(statusProblem(res), null);
    assert.equal(res.json.reason, reason);
    if (message !== undefined) assert.equal(res.json.message, message);
  };
  const pod = (name: string, requests: Record<string, unknown>) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests } }] },
  });

  it('a field selector of 60,000 characters is answered at once; 10× that is refused by the header limit', { timeout: 15_000 }, async () => {
    for (const n of [6_000, 60_000]) {
      const selector = `a${' '.repeat(n)}b`;
      let res!: Answer;
      assertLinearRegexes(await regexesOverLongInput(async () => { res = await call('GET', `/api/v1/namespaces/default/pods?fieldSelector=${selector.replaceAll(' ', '+')}`); }), 'fieldSelector');
      expectStatus(res, 400, 'BadRequest', `invalid selector: '${selector}'; can't understand '${selector}'`);
    }
    let ok!: Answer;
    assertLinearRegexes(await regexesOverLongInput(async () => { ok = await call('GET', `/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3D${'x'.repeat(60_000)}`); }), 'fieldSelector');
    assert.equal(ok.status, 200, ok.body.slice(0, 300));
    assert.deepEqual(ok.json.items, []);
    const huge = await call('GET', `/api/v1/namespaces/default/pods?fieldSelector=a${'+'.repeat(600_000)}b`);
    assert.equal(huge.status, 431);
  });

  it('label selectors: values over 63 bytes are a 400 with the parser’s message, however long', { timeout: 15_000 }, async () => {
    for (const n of [64, 6_000, 60_000]) {
      const value = 'x'.repeat(n);
      let res!: Answer;
      assertLinearRegexes(await regexesOverLongInput(async () => { res = await call('GET', `/api/v1/namespaces/default/configmaps?labelSelector=app%3D${value}`); }), 'labelSelector');
      expectStatus(res, 400, 'BadRequest', `unable to parse requirement: values[0][app]: Invalid value: "${value}": must be no more than 63 bytes`);
    }
    let spaces!: Answer;
    assertLinearRegexes(await regexesOverLongInput(async () => { spaces = await call('GET', `/api/v1/namespaces/default/configmaps?labelSelector=a${'+'.repeat(60_000)}b`); }), 'labelSelector');
    expectStatus(spaces, 400, 'BadRequest', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
    const watch = await call('GET', `/api/v1/namespaces/default/configmaps?watch=true&labelSelector=app%3D${'x'.repeat(64)}`);
    expectStatus(watch, 400, 'BadRequest');
  });

  it('a malformed quantity is the decoder’s 400, for any size and any resource; a negative one a 422 with its field', { timeout: 15_000 }, async () => {
    for (const n of [25_000, 250_000]) {
      let res!: Answer;
      assertLinearRegexes(await regexesOverLongInput(async () => { res = await call('POST', '/api/v1/namespaces/default/pods', pod('q', { cpu: `${'1'.repeat(n)}x` })); }), 'quantity');
      expectStatus(res, 400, 'BadRequest', `Pod in version "v1" cannot be handled as a Pod: ${quantityMessage}`);
    }
    expectStatus(await call('POST', '/api/v1/namespaces/default/pods', pod('q', { memory: '32MMi' })), 400, 'BadRequest', 'Pod in version "v1" cannot be handled as a Pod: unable to parse quantity\'s suffix');
    expectStatus(await call('POST', '/apis/apps/v1/namespaces/default/deployments', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: '25%' } } }] } } },
    }), 400, 'BadRequest', `Deployment in version "v1" cannot be handled as a Deployment: ${quantityMessage}`);
    expectStatus(await call('POST', '/api/v1/namespaces/default/resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'rq' }, spec: { hard: { pods: 'lots' } } }),
      400, 'BadRequest', `ResourceQuota in version "v1" cannot be handled as a ResourceQuota: ${quantityMessage}`);
    expectStatus(await call('POST', '/api/v1/namespaces/default/limitranges', { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr' }, spec: { limits: [{ type: 'Container', max: { cpu: '1..' } }] } }),
      400, 'BadRequest', `LimitRange in version "v1" cannot be handled as a LimitRange: ${quantityMessage}`);

    const negative = await call('POST', '/api/v1/namespaces/default/pods', pod('neg', { cpu: '-1' }));
    expectStatus(negative, 422, 'Invalid', 'Pod "neg" is invalid: spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0');
    assert.deepEqual(negative.json.details.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: "-1": must be greater than or equal to 0', field: 'spec.containers[0].resources.requests[cpu]' }]);

    // A well-formed quantity of any size is one kube-apiserver takes; the scheduler reads it in linear time.
    const absurd = await call('POST', '/api/v1/namespaces/default/pods?dryRun=All', pod('absurd', { cpu: '1'.repeat(250_000) }));
    assert.equal(absurd.status, 201, absurd.body.slice(0, 300));
  });

  it('strategic merge reorders 20,000 finalizers in one patch, in ~10× the steps of 2,000', { timeout: 60_000 }, async () => {
    const steps: number[] = [];
    for (const n of [2_000, 20_000]) {
      const names = Array.from({ length: n }, (_, i) => `example.com/f${i}`);
      const name = `fin-${n}`;
      const created = await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, finalizers: names } });
      assert.equal(created.status, 201, created.body.slice(0, 300));
      const reversed = [...names].reverse();
      let patched!: Answer;
      steps.push(await countSteps(async () => {
        patched = await call('PATCH', `/api/v1/namespaces/default/configmaps/${name}`, { metadata: { finalizers: reversed } }, 'application/strategic-merge-patch+json');
      }));
      assert.equal(patched.status, 200, patched.body.slice(0, 300));
      assert.deepEqual(patched.json.metadata.finalizers, reversed);
      const ordered = await call('PATCH', `/api/v1/namespaces/default/configmaps/${name}`, { metadata: { '$setElementOrder/finalizers': names } }, 'application/strategic-merge-patch+json');
      assert.equal(ordered.status, 200, ordered.body.slice(0, 300));
      assert.deepEqual(ordered.json.metadata.finalizers, names);
    }
    assert.ok(steps[1] <= 20 * steps[0], `10× the finalizers took ${(steps[1] / steps[0]).toFixed(1)}× the steps (${steps.join(' → ')})`);
  });

  it('ConfigMap and Secret data are at most 1 MiB, annotations 256 KiB: 422 with field.TooLong’s wording', { timeout: 30_000 }, async () => {
    const mib = 1024 * 1024;
    const exact = await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'exactly-1mib' }, data: { a: 'x'.repeat(mib - 10), b: 'y'.repeat(10) } });
    assert.equal(exact.status, 201, exact.body.slice(0, 300));
    const cm = await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(mib) }, binaryData: { b: 'AA==' } });
    expectStatus(cm, 422, 'Invalid', 'ConfigMap "big" is invalid: []: Too long: may not be more than 1048576 bytes');
    assert.deepEqual(cm.json.details.causes, [{ reason: 'FieldValueTooLong', message: 'Too long: may not be more than 1048576 bytes', field: '[]' }]);
    // bytes, not characters: 600 Ki of a two-byte character is over the limit
    expectStatus(await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'wide' }, data: { a: 'é'.repeat(600 * 1024) } }), 422, 'Invalid');

    const secret = await call('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'big' }, data: { a: btoa('x'.repeat(mib + 1)) } });
    expectStatus(secret, 422, 'Invalid', 'Secret "big" is invalid: data: Too long: may not be more than 1048576 bytes');
    assert.deepEqual(secret.json.details.causes, [{ reason: 'FieldValueTooLong', message: 'Too long: may not be more than 1048576 bytes', field: 'data' }]);

    const annotations = await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'noted', annotations: { a: 'x'.repeat(256 * 1024) } } });
    expectStatus(annotations, 422, 'Invalid', 'ConfigMap "noted" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes');
  });

  it('a Secret’s stringData of 300 KB is stored (once a stack overflow); 2.5 MB of it is over the data limit', { timeout: 30_000 }, async () => {
    const text = 'ü€💥 plain ascii too; '.repeat(15_000);
    const created = await call('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'string-data' }, stringData: { big: text } });
    assert.equal(created.status, 201, created.body.slice(0, 300));
    const read = await call('GET', '/api/v1/namespaces/default/secrets/string-data');
    assert.equal(new TextDecoder().decode(Uint8Array.from(atob(read.json.data.big), (c) => c.charCodeAt(0))), text);
    assert.equal(read.json.stringData, undefined);
    const tooMuch = await call('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'too-much' }, stringData: { big: 'x'.repeat(2_500_000) } });
    expectStatus(tooMuch, 422, 'Invalid', 'Secret "too-much" is invalid: data: Too long: may not be more than 1048576 bytes');
  });

  it('names and labels are bounded per kind with apimachinery’s messages', { timeout: 15_000 }, async () => {
    const long = 'a'.repeat(254);
    expectStatus(await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: long } }),
      422, 'Invalid', `ConfigMap "${long}" is invalid: metadata.name: Invalid value: "${long}": must be no more than 253 characters`);
    expectStatus(await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } }),
      422, 'Invalid', 'Namespace "a.b" is invalid: metadata.name: Invalid value: "a.b": must not contain dots');
    expectStatus(await call('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: '1web' }, spec: { ports: [{ port: 80 }] } }),
      422, 'Invalid', 'Service "1web" is invalid: metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')');
    expectStatus(await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'lv', labels: { app: 'v'.repeat(64) } } }),
      422, 'Invalid', `ConfigMap "lv" is invalid: metadata.labels: Invalid value: "${'v'.repeat(64)}": must be no more than 63 bytes`);
    const key = `${'p'.repeat(254)}/k`;
    const prefixed = await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'lk', labels: { [key]: 'v' } } });
    expectStatus(prefixed, 422, 'Invalid', `ConfigMap "lk" is invalid: metadata.labels: Invalid value: "${key}": prefix part must be no more than 253 bytes`);
    expectStatus(await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keys' }, data: { '..x': 'v' } }),
      422, 'Invalid', 'ConfigMap "keys" is invalid: data[..x]: Invalid value: "..x": must not start with \'..\'');
  });
});
