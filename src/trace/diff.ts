const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The paths whose values differ between two objects, descending into objects (not lists) at
 * most `depth` levels (`spec.replicas`, `metadata.labels`), leaving out the `ignored` paths.
 */
export function changedPaths(a: unknown, b: unknown, depth = 2, ignored: ReadonlySet<string> = new Set(), path = '', out: string[] = []): string[] {
  if (!isPlain(a) || !isPlain(b)) return out;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const at = path ? `${path}.${key}` : key;
    if (ignored.has(at) || JSON.stringify(a[key]) === JSON.stringify(b[key])) continue;
    if (depth > 1 && isPlain(a[key]) && isPlain(b[key])) changedPaths(a[key], b[key], depth - 1, ignored, at, out);
    else out.push(at);
  }
  return out;
}

/** An object's values two levels deep (`spec.containers`, `metadata.labels`), each as JSON: what `changedSince` compares with. */
export function snapshotPaths(obj: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!isPlain(obj)) return out;
  for (const [key, value] of Object.entries(obj)) {
    if (isPlain(value)) for (const [child, v] of Object.entries(value)) out.set(`${key}.${child}`, JSON.stringify(v));
    else out.set(key, JSON.stringify(value));
  }
  return out;
}

/** The paths of `snapshotPaths(now)` that differ from `before`'s (added, removed or changed), leaving out `ignored`. */
export function changedSince(before: Map<string, string>, now: Map<string, string>, ignored: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  for (const [path, value] of now) if (before.get(path) !== value && !ignored.has(path)) out.push(path);
  for (const path of before.keys()) if (!now.has(path) && !ignored.has(path)) out.push(path);
  return out;
}
