/**
 * resource.Quantity arithmetic the scheduler needs: cpu in millicores, every
 * other resource in whole units (bytes, pods), as the scheduler's Resource type.
 */

import { quantityValue } from '../../apimachinery/quantity.ts';

/** The value of a quantity string (`100m`, `1.5`, `128Mi`, `1e3`); NaN when unparseable. Linear in its length. */
export const parseQuantity = (value: unknown): number => quantityValue(value);

/**
 * A quantity past int64 (what Quantity.Value() returns) is held at int64's maximum, so an
 * absurd request fits no node instead of overflowing into Infinity - Infinity = NaN sums.
 */
const maxInt64 = 2 ** 63 - 1;
const clamp = (n: number) => Math.max(-maxInt64, Math.min(maxInt64, n));

/** Millicores, rounded up as Quantity.MilliValue() does. */
const milliCpu = (value: unknown) => {
  const q = parseQuantity(value);
  return Number.isNaN(q) ? 0 : clamp(Math.ceil(Math.round(clamp(q) * 1e6) / 1e3));
};
/** Whole units, rounded up as Quantity.Value() does. */
export const units = (value: unknown) => {
  const q = parseQuantity(value);
  return Number.isNaN(q) ? 0 : clamp(Math.ceil(clamp(q) - 1e-9));
};

/** A resource list in scheduler units: `cpu` in millicores, the rest in units. */
export type Resources = Record<string, number>;

export function toResources(list: Record<string, unknown> | undefined): Resources {
  const out: Resources = {};
  for (const [name, value] of Object.entries(list ?? {})) out[name] = name === 'cpu' ? milliCpu(value) : units(value);
  return out;
}

export function addInto(target: Resources, add: Resources, sign = 1): void {
  for (const [name, value] of Object.entries(add)) target[name] = (target[name] ?? 0) + sign * value;
}

interface ContainerLike { resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> }; restartPolicy?: string }
interface SpecLike { containers?: ContainerLike[]; initContainers?: ContainerLike[]; overhead?: Record<string, unknown> }

/** A container's requests; limits stand in for missing requests, as defaulting does. */
function containerRequests(c: ContainerLike): Resources {
  return toResources({ ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) });
}

/**
 * PodRequests (component-helpers/resource): the sum of the containers, at least the
 * largest init container (sidecars add up), plus overhead.
 */
export function podRequests(spec: SpecLike): Resources {
  const sum: Resources = {};
  for (const c of spec.containers ?? []) addInto(sum, containerRequests(c));
  const sidecars: Resources = {};
  const initMax: Resources = {};
  for (const c of spec.initContainers ?? []) {
    const r = containerRequests(c);
    if (c.restartPolicy === 'Always') { addInto(sum, r); addInto(sidecars, r); continue; }
    for (const [name, value] of Object.entries(r)) initMax[name] = Math.max(initMax[name] ?? 0, value + (sidecars[name] ?? 0));
  }
  for (const [name, value] of Object.entries(initMax)) sum[name] = Math.max(sum[name] ?? 0, value);
  addInto(sum, toResources(spec.overhead));
  return sum;
}

/** Requests with the scheduler's non-zero defaults (100m cpu, 200Mi memory) for scoring. */
export function nonZeroRequests(spec: SpecLike): { cpu: number; memory: number } {
  let cpu = 0, memory = 0;
  for (const c of spec.containers ?? []) {
    const r = containerRequests(c);
    cpu += r.cpu || 100;
    memory += r.memory || 200 * 2 ** 20;
  }
  return { cpu, memory };
}
