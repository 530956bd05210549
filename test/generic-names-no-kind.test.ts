import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resources } from '../src/registry/resources/index.ts';

/**
 * Per-kind behaviour lives in the kind's declaration (its strategy hooks) or in an
 * admission plugin; the generic engine and the request path name no kind. This reads
 * their source and fails on a string literal that is a served kind or its plural, or on
 * a declaration's (or a request's) resource compared with a literal.
 */

const root = new URL('..', import.meta.url).pathname;
const generic = [
  'src/registry/generic.ts', 'src/registry/catalog.ts', 'src/registry/admission.ts', 'src/registry/validateObject.ts',
  'src/registry/changeEvents.ts', 'src/server/handlers.ts', 'src/app.ts',
  ...readdirSync(join(root, 'src/pipeline')).filter((f) => f.endsWith('.ts')).map((f) => `src/pipeline/${f}`),
];

/** The string literals of a TypeScript source (template literals whole), comments skipped. */
function stringLiterals(source: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '/' && source[i + 1] === '/') i = source.indexOf('\n', i) < 0 ? source.length : source.indexOf('\n', i);
    else if (c === '/' && source[i + 1] === '*') i = source.indexOf('*/', i + 2) + 1;
    else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1, text = '';
      for (; j < source.length && source[j] !== c; j++) {
        if (source[j] === '\\') j++;
        text += source[j];
      }
      out.push(text);
      i = j;
    }
  }
  return out;
}

const kindNames = new Set(resources.flatMap((def) => [def.kind, def.plural]));
const comparesName = /\b\w*(def|Def)\.(plural|kind|group)\s*[!=]==?\s*['"`]|\.resource\s*[!=]==?\s*['"`]/;

describe('the generic engine names no kind', () => {
  it('finds a kind named in a sample, so the check itself works', () => {
    const sample = "// pods are special\nif (def.plural === 'namespaces') x(`Pod`, 'namespace'); /* 'nodes' */";
    assert.deepEqual(stringLiterals(sample).filter((s) => kindNames.has(s)), ['namespaces', 'Pod']);
    assert.match(sample, comparesName);
    assert.match("info.resource !== 'x'", comparesName);
    assert.doesNotMatch("target.kind === 'health'", comparesName);
  });

  for (const file of generic) {
    it(file, () => {
      const source = readFileSync(join(root, file), 'utf8');
      const named = stringLiterals(source).filter((s) => kindNames.has(s));
      assert.deepEqual(named, [], `${file} names a kind; put the behaviour on that kind's declaration`);
      assert.doesNotMatch(source, comparesName, `${file} compares a resource's name with a literal`);
    });
  }
});
