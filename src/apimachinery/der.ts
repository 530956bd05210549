/**
 * ASN.1 DER, as much as X.509 certificates and PKCS#10 requests need: a TLV reader and
 * encoders for the universal types they use. Tags are single bytes (every tag in those
 * structures is below 31); lengths up to 2^32. Hand-written on purpose: an X.509 library
 * on WebCrypto (@peculiar/x509) would add ~270 KiB to the Worker bundle, ~70 KiB gzipped.
 */

export const tag = {
  boolean: 0x01, integer: 0x02, bitString: 0x03, octetString: 0x04, null: 0x05, oid: 0x06,
  utf8String: 0x0c, printableString: 0x13, t61String: 0x14, ia5String: 0x16, utcTime: 0x17, generalizedTime: 0x18, bmpString: 0x1e,
  sequence: 0x30, set: 0x31,
} as const;

/** One element: its tag, its content, and the whole encoding (what a signature covers). */
export interface Element { tag: number; content: Uint8Array; raw: Uint8Array }

export class DerError extends Error {}

/** The element at `offset`, and where the next one starts. */
export function readElement(bytes: Uint8Array, offset = 0): { element: Element; next: number } {
  if (offset + 2 > bytes.length) throw new DerError('asn1: truncated element');
  const t = bytes[offset];
  if ((t & 0x1f) === 0x1f) throw new DerError('asn1: multi-byte tags are not supported');
  let length = bytes[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4 || start + n > bytes.length) throw new DerError('asn1: invalid length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + bytes[start + i];
    start += n;
  }
  const end = start + length;
  if (end > bytes.length) throw new DerError('asn1: truncated element');
  return { element: { tag: t, content: bytes.subarray(start, end), raw: bytes.subarray(offset, end) }, next: end };
}

/** Exactly one element filling `bytes` (no trailing data, as Go's parsers insist). */
export function parse(bytes: Uint8Array): Element {
  const { element, next } = readElement(bytes);
  if (next !== bytes.length) throw new DerError('asn1: trailing data');
  return element;
}

/** The elements of a constructed element's content. */
export function children(element: Element): Element[] {
  const out: Element[] = [];
  for (let at = 0; at < element.content.length;) {
    const { element: child, next } = readElement(element.content, at);
    out.push(child);
    at = next;
  }
  return out;
}

export function expectTag(element: Element | undefined, t: number, what: string): Element {
  if (!element || element.tag !== t) throw new DerError(`asn1: malformed ${what}`);
  return element;
}

export function decodeOid(element: Element): string {
  const b = expectTag(element, tag.oid, 'object identifier').content;
  if (!b.length) throw new DerError('asn1: empty object identifier');
  const arcs: number[] = [];
  let value = 0;
  for (const byte of b) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) { arcs.push(value); value = 0; }
  }
  const first = Math.min(2, Math.floor(arcs[0] / 40));
  return [first, arcs[0] - first * 40, ...arcs.slice(1)].join('.');
}

/** The text of a directory string (UTF8String, PrintableString, IA5String, T61String, BMPString). */
export function decodeString(element: Element): string {
  if (element.tag === tag.bmpString) {
    let s = '';
    for (let i = 0; i + 1 < element.content.length; i += 2) s += String.fromCharCode((element.content[i] << 8) | element.content[i + 1]);
    return s;
  }
  return new TextDecoder().decode(element.content);
}

/** UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ), as milliseconds. */
export function decodeTime(element: Element): number {
  const s = new TextDecoder().decode(element.content);
  const m = element.tag === tag.utcTime ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s) : /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s);
  if (!m || (element.tag !== tag.utcTime && element.tag !== tag.generalizedTime)) throw new DerError('asn1: malformed time');
  let year = Number(m[1]);
  if (element.tag === tag.utcTime) year += year < 50 ? 2000 : 1900;
  return Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

// Encoders

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

export function encode(t: number, ...content: Uint8Array[]): Uint8Array {
  const body = concat(content);
  return concat([Uint8Array.of(t, ...lengthBytes(body.length)), body]);
}

export const sequence = (...parts: Uint8Array[]) => encode(tag.sequence, ...parts);
export const set = (...parts: Uint8Array[]) => encode(tag.set, ...parts);
/** [n] EXPLICIT (constructed context tag). */
export const explicit = (n: number, ...parts: Uint8Array[]) => encode(0xa0 | n, ...parts);
export const octetString = (bytes: Uint8Array) => encode(tag.octetString, bytes);
export const boolean = (value: boolean) => encode(tag.boolean, Uint8Array.of(value ? 0xff : 0));
export const utf8String = (s: string) => encode(tag.utf8String, new TextEncoder().encode(s));
/** A BIT STRING of whole bytes (keys, signatures). */
export const bitString = (bytes: Uint8Array, unusedBits = 0) => encode(tag.bitString, Uint8Array.of(unusedBits), bytes);

/** A non-negative INTEGER from big-endian bytes, minimally encoded. */
export function unsignedInteger(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const trimmed = bytes.subarray(i);
  return encode(tag.integer, trimmed[0] & 0x80 ? concat([Uint8Array.of(0), trimmed]) : trimmed);
}
export const smallInteger = (n: number) => unsignedInteger(Uint8Array.of(n));

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const values = [arcs[0] * 40 + arcs[1], ...arcs.slice(2)];
  const out: number[] = [];
  for (const value of values) {
    const base128: number[] = [];
    for (let v = value; ; v = Math.floor(v / 128)) {
      base128.unshift((v & 0x7f) | (base128.length ? 0x80 : 0));
      if (v < 128) break;
    }
    out.push(...base128);
  }
  return encode(tag.oid, Uint8Array.from(out));
}

/** UTCTime before 2050, GeneralizedTime from then on (RFC 5280 4.1.2.5). */
export function time(ms: number): Uint8Array {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  const year = d.getUTCFullYear();
  return year < 2050
    ? encode(tag.utcTime, new TextEncoder().encode(`${p(year % 100)}${rest}`))
    : encode(tag.generalizedTime, new TextEncoder().encode(`${year}${rest}`));
}
