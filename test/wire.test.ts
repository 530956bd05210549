import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startNodeServer } from '../harness/server.ts';
import { goJsonSyntaxError, summarizeBody } from '../src/apimachinery/goJson.ts';
import { queryBool, queryInt64 } from '../src/apimachinery/queryParams.ts';
import { ApiError } from '../src/apimachinery/errors.ts';
import { encodeJson } from '../src/server/wire.ts';
import { freshWorkerCluster } from './helpers/sharedWorker.ts';
import { wireScenario } from './scenarios/wire.ts';

describe('query parameters as apimachinery converts them', () => {
  it('booleans: absent, "0" and "false" in any case are false; anything else is true', () => {
    for (const v of [undefined, '0', 'false', 'FALSE', 'False', 'fAlSe']) assert.equal(queryBool(v), false, String(v));
    for (const v of ['1', 'true', 'True', 'TRUE', 't', 'yes', '', 'f', 'no']) assert.equal(queryBool(v), true, v);
  });

  it('integers: strconv.ParseInt, with its words for what it refuses', () => {
    assert.equal(queryInt64('42'), 42);
    assert.equal(queryInt64('+7'), 7);
    assert.equal(queryInt64('-3'), -3);
    assert.equal(queryInt64(undefined), undefined);
    const refused = (v: string) => { try { queryInt64(v); return ''; } catch (e) { return (e as ApiError).code + ' ' + (e as ApiError).message; } };
    assert.equal(refused('1.5'), '400 strconv.ParseInt: parsing "1.5": invalid syntax');
    assert.equal(refused(''), '400 strconv.ParseInt: parsing "": invalid syntax');
    assert.equal(refused('9223372036854775808'), '400 strconv.ParseInt: parsing "9223372036854775808": value out of range');
  });
});

describe("Go's encoding/json", () => {
  it('escapes <, >, & and the line separators, as json.Marshal does', () => {
    assert.equal(encodeJson({ a: '<b> & \u2028' }, false), '{"a":"\\u003cb\\u003e \\u0026 \\u2028"}\n');
    assert.equal(encodeJson({ a: [], b: {} }, true), '{\n  "a": [],\n  "b": {}\n}');
  });

  it("the scanner's words for malformed input", () => {
    const cases: Array<[string, string]> = [
      ['{"kind":', 'unexpected end of JSON input'],
      ['{"a" 1}', "invalid character '1' after object key"],
      ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
      ['[1,]', "invalid character ']' looking for beginning of value"],
      ['[1 2]', "invalid character '2' after array element"],
      ['{1:2}', "invalid character '1' looking for beginning of object key string"],
      ['{"a":1}x', "invalid character 'x' after top-level value"],
      ['tru', 'unexpected end of JSON input'],
      ['trux', "invalid character 'x' in literal true (expecting 'e')"],
      ['-x', "invalid character 'x' in numeric literal"],
      ['1.e', "invalid character 'e' after decimal point in numeric literal"],
      ['"a\\qb"', "invalid character 'q' in string escape code"],
      ['"a\nb"', "invalid character '\\n' in string literal"],
      ["'a'", "invalid character '\\'' looking for beginning of value"],
    ];
    for (const [input, words] of cases) assert.equal(goJsonSyntaxError(input), words, input);
    assert.equal(goJsonSyntaxError('{"ok":[1,2.5e3,null,true]}'), undefined);
  });

  it('summarizeData: an object body quoted up to 30 bytes, anything else in hex', () => {
    assert.equal(summarizeBody(new TextEncoder().encode('{"kind":')), '{"kind":');
    assert.equal(summarizeBody(new TextEncoder().encode(`{"kind":"${'x'.repeat(40)}"}`)), `{"kind":"${'x'.repeat(21)} ...`);
    assert.equal(summarizeBody(new TextEncoder().encode('[1]')), '5b315d');
  });
});

wireScenario('Node entry, memory store', () => startNodeServer());
wireScenario('Cloudflare Worker in workerd, Durable Object store', () => freshWorkerCluster());
