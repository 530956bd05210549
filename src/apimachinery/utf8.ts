/**
 * Node's Buffer.byteLength where there is one (Node; a Worker with nodejs_compat): the same count,
 * ~10× faster again on a long value (a 614 KB object: ~0.1 ms, against ~0.3-3 ms here).
 */
const nativeByteLength = (globalThis as { Buffer?: { byteLength(text: string, encoding: 'utf8'): number } }).Buffer?.byteLength;

/** Any character past ASCII: one character class, no quantifier, so the search is one linear scan. */
const nonAscii = /[^\x00-\x7f]/;

/**
 * The UTF-8 byte length of a string (Go's len(s)), without encoding it: linear, no
 * allocation. The ASCII prefix (most often the whole string) is measured by the regular
 * expression engine's scan, ~5× faster than a loop over char codes (a 3 MiB value: 1.6 ms
 * against 8, on the loop every cluster shares). A lone surrogate counts as the three bytes
 * of U+FFFD, as TextEncoder writes it.
 */
export function utf8Length(text: string): number {
  if (nativeByteLength) return nativeByteLength(text, 'utf8');
  const first = text.search(nonAscii);
  if (first < 0) return text.length;
  let n = first;
  for (let i = first; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

/** UTF-8 then base64, in slices: spreading a long string's bytes into one call would overflow the stack. */
export function utf8ToBase64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 0x8000) parts.push(String.fromCharCode(...bytes.subarray(i, i + 0x8000)));
  return btoa(parts.join(''));
}

/** base64 to the UTF-8 text it encodes (malformed bytes as U+FFFD); throws on what is not base64, as atob does. */
export function base64ToUtf8(b64: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
}
