import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pieceLength, putLongStrings, takeLongStrings } from '../src/entry/longStrings.ts';

/** What the loop gets: the thread's answer through a structured clone (as postMessage sends it), put back together. */
function roundTrip(document: unknown): { document: unknown; pieces: number } {
  const taken = structuredClone(takeLongStrings(structuredClone(document)));
  return { document: putLongStrings(taken.document, taken.long), pieces: taken.long.reduce((n, l) => n + l.pieces.length, 0) };
}

describe('long strings go from the document thread in pieces and come back the same (unit)', () => {
  const long = (unit: string, n = pieceLength * 3 + 17) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

  it('every string longer than a piece is cut into pieces no longer than one, and joined again the same', () => {
    const document = {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big', annotations: { note: long('n') } },
      data: { ascii: long('x'), wide: long('é€💥'), short: 'short', edge: 'e'.repeat(pieceLength), over: 'o'.repeat(pieceLength + 1) },
      list: [long('a'), 1, null, true, [long('b'), { deep: long('c') }]],
    };
    const taken = takeLongStrings(structuredClone(document));
    const paths = (list: unknown[][]) => list.map((p) => JSON.stringify(p)).sort();
    assert.deepEqual(paths(taken.long.map((l) => l.path)), paths([
      ['list', 0], ['list', 4, 0], ['list', 4, 1, 'deep'], ['data', 'ascii'], ['data', 'wide'], ['data', 'over'], ['metadata', 'annotations', 'note'],
    ]), 'the long strings and where they were, and only them');
    for (const { pieces } of taken.long) assert.ok(pieces.every((p) => p.length <= pieceLength && p.length > 0));
    assert.equal((taken.document as typeof document).data.ascii, '', 'the long string left the document');
    assert.equal((taken.document as typeof document).data.edge.length, pieceLength, 'a string of one piece stays');
    const { document: back, pieces } = roundTrip(document);
    assert.deepEqual(back, document);
    assert.ok(pieces > 7);
  });

  it('a cut through a surrogate pair, lone surrogates and a key named __proto__ come back as they were', () => {
    const split = `${'x'.repeat(pieceLength - 1)}💥${'y'.repeat(pieceLength)}\ud800${'z'.repeat(10)}\udc00`;
    const document = JSON.parse(`{"__proto__": ${JSON.stringify(split)}, "a": {"__proto__": {"v": ${JSON.stringify(split)}}}}`) as Record<string, unknown>;
    const { document: back, pieces } = roundTrip(document);
    assert.equal(pieces, 6);
    assert.ok(Object.hasOwn(back as object, '__proto__'));
    assert.equal(Object.getPrototypeOf(back), Object.prototype, 'no prototype was set');
    assert.equal((back as Record<string, unknown>)['__proto__'], split);
    assert.equal(((back as { a: Record<string, { v: string }> }).a['__proto__']).v, split);
  });

  it('a document that is itself a long string, and documents with none', () => {
    const text = long('t');
    assert.equal(roundTrip(text).document, text);
    for (const small of [{ a: 'b' }, ['x'], 'short', 42, null]) assert.deepEqual(roundTrip(small), { document: small, pieces: 0 });
  });
});
