/** PEM (RFC 7468) as Go's encoding/pem reads and writes it: the armour around DER. */

export interface PemBlock { type: string; headers: boolean; bytes: Uint8Array }

/**
 * Every PEM block in the text, in order (encoding/pem's Decode, repeated); text between
 * blocks is skipped. A scan with indexOf, at most `maxBlocks` BEGIN lines deep, so a body
 * of unterminated BEGIN lines costs a bounded number of linear passes.
 */
export function pemBlocks(text: string, maxBlocks = 8): PemBlock[] {
  const out: PemBlock[] = [];
  let at = 0;
  for (let seen = 0; seen < maxBlocks; seen++) {
    const begin = text.indexOf('-----BEGIN ', at);
    if (begin < 0) break;
    const labelEnd = text.indexOf('-----', begin + 11);
    if (labelEnd < 0) break;
    const type = text.slice(begin + 11, labelEnd);
    at = labelEnd + 5;
    const end = text.indexOf(`-----END ${type}-----`, at);
    if (!/^[A-Z0-9 ]+$/.test(type) || end < 0 || (text[at] !== '\n' && text.slice(at, at + 2) !== '\r\n')) continue;
    const body = text.slice(at, end);
    at = end + type.length + 14;
    const headers = /^\s*[^\n:]*:/.test(body);
    const b64 = body.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) continue;
    out.push({ type, headers, bytes: Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)) });
  }
  return out;
}

export function toPem(type: string, bytes: Uint8Array): string {
  let b64 = '';
  for (let i = 0; i < bytes.length; i += 0x8000) b64 += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  b64 = btoa(b64);
  return `-----BEGIN ${type}-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${type}-----\n`;
}
