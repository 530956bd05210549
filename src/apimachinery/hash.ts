/**
 * FNV-1a, 64-bit, as 16 hex digits: stable names and ids from a seed (event names,
 * generated pod suffixes, container and image ids), the same on every run.
 */
export function hash64(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}
