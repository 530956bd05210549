/**
 * FNV-1a, 64-bit, as 16 hex digits: stable names and ids from a seed (event names,
 * generated pod suffixes, container and image ids), the same on every run.
 */
export function hash64(text: string): string {
  // FNV-1a over UTF-16 code units, 64 bits held as two 32-bit halves (a BigInt per character
  // was ~10x slower: the scheduler names an event this way for every pending pod of every pass).
  // The prime is 2^40 + 0x1b3: h * prime = h * 0x1b3 + (low half << 8, in the high half).
  let hi = 0xcbf29ce4, lo = 0x84222325;
  for (let i = 0; i < text.length; i++) {
    lo = (lo ^ text.charCodeAt(i)) >>> 0;
    const product = lo * 0x1b3;
    hi = (Math.imul(hi, 0x1b3) + Math.floor(product / 0x100000000) + (lo << 8)) >>> 0;
    lo = product >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
