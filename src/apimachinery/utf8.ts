/**
 * The UTF-8 byte length of a string (Go's len(s)), without encoding it: one linear pass,
 * no allocation and no regular expression (client input of any length reaches it). A lone
 * surrogate counts as the three bytes of U+FFFD, as TextEncoder writes it.
 */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}
