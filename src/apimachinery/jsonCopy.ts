/**
 * What `JSON.parse(JSON.stringify(value))` gives, made in JavaScript: a deep copy whose strings
 * are the original's (strings are immutable), not copies of them. structuredClone and a JSON
 * round trip copy every string: a pod carrying a 25 KB string costs 25 KB a copy, and a copy that
 * lives through a paced write is promoted to V8's old generation, whose collection every cluster
 * on the loop then waits for. A frozen object (a decoded managedFields set, registry/storedFields.ts)
 * is shared as it is: frozen, it cannot change under either copy.
 *
 * As JSON does: a property whose value is undefined (or a function) is left out, and such an
 * element of an array becomes null, so the copy is what a decode of the encoded value shows.
 */
export function jsonCopy<T>(value: T): T {
  return copied(value) as T;
}

function copied(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      out[i] = item === undefined || typeof item === 'function' ? null : copied(item);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  const source = value as Record<string, unknown>;
  // for…in, not Object.entries: no array of pairs made per object (JSON-decoded objects have no inherited keys).
  for (const key in source) {
    if (!Object.hasOwn(source, key)) continue;
    const item = source[key];
    if (item === undefined || typeof item === 'function') continue;
    // A key JSON.parse made an own property: assigned, it would set the copy's prototype instead.
    if (key === '__proto__') Object.defineProperty(out, key, { value: copied(item), enumerable: true, writable: true, configurable: true });
    else out[key] = copied(item);
  }
  return out;
}
