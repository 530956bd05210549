import { hash64 } from '../../apimachinery/hash.ts';

/**
 * Names and hashes controllers give what they create: `<owner>-<5 chars>` pods,
 * `<deployment>-<pod-template-hash>` ReplicaSets, `<sts>-<hash>` revisions.
 * Suffixes are derived from a seed instead of Math.random, so two passes that
 * race over the same state pick the same name and one of them gets AlreadyExists.
 */

/** k8s.io/apimachinery/pkg/util/rand's alphabet: no vowels, no confusable characters. */
const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString: each byte to one character of the alphabet. */
function safeEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += alphanums[text.charCodeAt(i) % alphanums.length];
  return out;
}

/** A suffix as rand.String(n) would draw it, from a seed. */
export function suffix(seed: string, length = 5): string {
  // FNV barely moves its high bits for a change in the last byte: hash twice so seeds `…/1`, `…/2` differ everywhere.
  const once = hash64(seed);
  const digits = hash64(once + seed) + hash64(seed + once);
  let out = '';
  for (let i = 0; i < length; i++) out += alphanums[parseInt(digits.slice(2 * i, 2 * i + 2), 16) % alphanums.length];
  return out;
}

/** names.SimpleNameGenerator: the base is cut so the whole name stays a valid label (63). */
export const generatedName = (base: string, seed: string) => `${base.slice(0, 58)}${suffix(seed)}`;

/**
 * Memoizes a function of an object by identity. A pass reuses decoded objects
 * while their revision is unchanged (and never mutates them), so what is derived
 * from a steady object is computed once, not on every pass.
 */
export function byIdentity<K extends object, V>(derive: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    if (cache.has(key)) return cache.get(key)!;
    const value = derive(key);
    cache.set(key, value);
    return value;
  };
}

/** JSON with object keys sorted at every level: equal values, equal text. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * controller.ComputeHash: FNV-32a of the pod template (and the collision count,
 * when there was a collision), printed in decimal and safe-encoded — which is
 * why real hashes like `7c5ddbdf54` use only ten characters.
 */
export function templateHash(template: object, collisionCount?: number): string {
  const text = canonicalOf(template) + (collisionCount ? `#${collisionCount}` : '');
  return safeEncode(String(fnv32a(text)));
}

/** canonical() of an object the pass will not change. */
export const canonicalOf = byIdentity((obj: object) => canonical(obj));
