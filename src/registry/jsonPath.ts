/**
 * The simple JSONPath of CRD printer columns and scale paths (`.spec.replicas`,
 * `.status.conditions[0].type`, `.status.conditions[?(@.type=="Ready")].status`,
 * `.status.addresses[*].value`): the subset apiextensions-apiserver accepts. A path that
 * finds several values reads as its first, as the CR table convertor prints only `results[0][0]`.
 */
type Step = { field: string } | { index: number } | { all: true } | { filter: { field: string; value: string } };

const stepPattern = /\.([^.[\]]+)|\[(\d+)\]|(\[\*\])|\[\?\(@\.([A-Za-z0-9_-]+)\s*==\s*(?:"([^"]*)"|'([^']*)')\)\]/y;

export function parseJsonPath(path: string): Step[] | undefined {
  const text = path.trim().replace(/^\{(.*)\}$/, '$1');
  const steps: Step[] = [];
  stepPattern.lastIndex = 0;
  while (stepPattern.lastIndex < text.length) {
    const at = stepPattern.lastIndex;
    const m = stepPattern.exec(text);
    if (!m || m.index !== at) return undefined;
    if (m[1] !== undefined) steps.push({ field: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) steps.push({ all: true });
    else steps.push({ filter: { field: m[4], value: m[5] ?? m[6] } });
  }
  return steps;
}

/** The value at a path (the first, after a `[*]`), or undefined when any step is missing. */
export function readJsonPath(obj: unknown, path: string): unknown {
  const steps = parseJsonPath(path);
  return steps ? follow(obj, steps, 0) : undefined;
}

function follow(current: unknown, steps: Step[], at: number): unknown {
  for (let i = at; i < steps.length; i++) {
    const step = steps[i];
    if (current === null || typeof current !== 'object') return undefined;
    if ('field' in step) current = Array.isArray(current) ? undefined : (current as Record<string, unknown>)[step.field];
    else if ('index' in step) current = Array.isArray(current) ? current[step.index] : undefined;
    else if ('all' in step) {
      const items = Array.isArray(current) ? current : Object.values(current);
      for (const item of items) {
        const found = follow(item, steps, i + 1);
        if (found !== undefined) return found;
      }
      return undefined;
    } else current = Array.isArray(current) ? current.find((item) => item && typeof item === 'object' && String((item as Record<string, unknown>)[step.filter.field]) === step.filter.value) : undefined;
  }
  return current;
}

/** Sets the value at a path of plain fields, making the objects on the way. */
export function writeJsonPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const fields = (parseJsonPath(path) ?? []).flatMap((step) => ('field' in step ? [step.field] : []));
  let current = obj;
  fields.forEach((field, i) => {
    if (i === fields.length - 1) { current[field] = value; return; }
    const next = current[field];
    current = (current[field] = next && typeof next === 'object' && !Array.isArray(next) ? next : {}) as Record<string, unknown>;
  });
}
