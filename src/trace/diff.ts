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
