/**
 * `spec.template.spec.containers[name=web].image`, `subsets[0].addresses`,
 * `metadata.labels["pod-security.kubernetes.io/enforce"]`: a value inside an object by keys,
 * list indexes, list items picked by one of their fields, and quoted keys (for keys with dots).
 */
export function valueAt(obj: unknown, path: string): unknown {
  let value = obj;
  for (const part of path.match(/[^.[\]]+|\[[^\]]*\]/g) ?? []) {
    if (value === undefined || value === null) return undefined;
    const quoted = /^\["(.*)"\]$/.exec(part);
    if (quoted) {
      value = typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[quoted[1]] : undefined;
    } else if (part.startsWith('[')) {
      const inner = part.slice(1, -1);
      if (!Array.isArray(value)) return undefined;
      const eq = inner.indexOf('=');
      value = eq < 0 ? value[Number(inner)] : value.find((item: unknown) => typeof item === 'object' && item !== null && String((item as Record<string, unknown>)[inner.slice(0, eq)]) === inner.slice(eq + 1));
    } else {
      value = typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
    }
  }
  return value;
}
