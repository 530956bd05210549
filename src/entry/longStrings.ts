/**
 * Long strings of a document, sent from the document thread to the loop in pieces.
 *
 * V8 allocates an object past its largest regular size (~128 KiB) in memory mapped for it alone,
 * fresh each time: a 3 MiB string received from another thread costs the receiving thread a page
 * fault per 4 KiB page it copies into, ~10 ms on the loop every cluster shares (measured on this
 * project's 2-core VM: 10–13 ms per 3 MiB value received whole, 1–3 ms as pieces). Pieces of
 * `pieceLength` code units land in the young generation's pages, already mapped, and joined with
 * `+` they make a rope (V8's cons string) that holds the same code units, uncopied until something
 * needs the value flat. A body that is refused never needs it: a ConfigMap whose data is over
 * 1 MiB by its values' lengths alone is answered 422 without reading them (config.ts).
 */

/** Where a long string sat in the document (keys and indices from the root), and its pieces. */
export interface LongString { path: Array<string | number>; pieces: string[] }

/** Code units per piece: 64 KiB for a two-byte string, well under V8's regular object size. */
export const pieceLength = 32 * 1024;

interface Place { parent: Place | undefined; key: string | number }

const pathOf = (place: Place | undefined): Array<string | number> => {
  const path: Array<string | number> = [];
  for (let p = place; p; p = p.parent) path.push(p.key);
  return path.reverse();
};

function cut(text: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += pieceLength) pieces.push(text.slice(i, i + pieceLength));
  return pieces;
}

/**
 * Takes every string longer than one piece out of `document` (an `''` left in its place) and
 * returns them cut into pieces, with where each was. One pass over the document, no recursion
 * (decodeDocument has already bounded its nesting); only the long strings' paths are built.
 */
export function takeLongStrings(document: unknown): { document: unknown; long: LongString[] } {
  if (typeof document === 'string') return document.length > pieceLength ? { document: '', long: [{ path: [], pieces: cut(document) }] } : { document, long: [] };
  const long: LongString[] = [];
  const stack: Array<[Record<string, unknown> | unknown[], Place | undefined]> = [];
  if (document !== null && typeof document === 'object') stack.push([document as Record<string, unknown>, undefined]);
  while (stack.length) {
    const [node, place] = stack.pop()!;
    const visit = (key: string | number, value: unknown) => {
      if (typeof value === 'string') {
        if (value.length <= pieceLength) return;
        long.push({ path: pathOf({ parent: place, key }), pieces: cut(value) });
        (node as Record<string | number, unknown>)[key] = '';
      } else if (value !== null && typeof value === 'object') stack.push([value as Record<string, unknown>, { parent: place, key }]);
    };
    if (Array.isArray(node)) node.forEach((value, index) => visit(index, value));
    else for (const key of Object.keys(node)) visit(key, node[key]);
  }
  return { document, long };
}

/**
 * Puts each long string back where it was, joined from its pieces (a rope: nothing is copied).
 * Every place on a path is an own property the document was received with, so assigning to it
 * (even to a key named `__proto__`) sets that property.
 */
export function putLongStrings(document: unknown, long: LongString[]): unknown {
  for (const { path, pieces } of long) {
    let text = '';
    for (const piece of pieces) text += piece;
    if (!path.length) return text;
    let node = document as Record<string | number, unknown>;
    for (let i = 0; i < path.length - 1; i++) node = node[path[i]] as Record<string | number, unknown>;
    node[path[path.length - 1]] = text;
  }
  return document;
}
