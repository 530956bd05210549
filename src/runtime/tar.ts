/**
 * tar archives as `kubectl cp` reads and writes them (Go's archive/tar on kubectl's side):
 * 512-byte headers, ustar names split into prefix/name, GNU `L` entries and PAX `path`
 * records for longer names, data padded to 512, two zero blocks at the end. Reading is one
 * linear pass over an archive whose size the caller has already bounded; a malformed header
 * is an error, never a loop.
 */

export interface TarEntry {
  /** As stored: relative, `/`-separated; a directory's name ends in `/`. */
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  data: Uint8Array;
  mode: number;
  mtimeSec: number;
  linkname?: string;
}

const block = 512;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function putString(header: Uint8Array, offset: number, length: number, text: string): void {
  header.set(encoder.encode(text).subarray(0, length), offset);
}

/** An octal field: digits, zero-padded, then NUL (what GNU tar and Go both write). */
function putOctal(header: Uint8Array, offset: number, length: number, value: number): void {
  putString(header, offset, length - 1, value.toString(8).padStart(length - 1, '0'));
}

function headerBlock(name: string, typeflag: string, size: number, mode: number, mtimeSec: number, prefix = '', linkname = ''): Uint8Array {
  const h = new Uint8Array(block);
  putString(h, 0, 100, name);
  putOctal(h, 100, 8, mode);
  putOctal(h, 108, 8, 0);
  putOctal(h, 116, 8, 0);
  putOctal(h, 124, 12, size);
  putOctal(h, 136, 12, mtimeSec);
  h.fill(0x20, 148, 156); // the checksum is computed with its own field as spaces
  putString(h, 156, 1, typeflag);
  putString(h, 157, 100, linkname);
  putString(h, 257, 6, 'ustar');
  putString(h, 263, 2, '00');
  putString(h, 265, 32, 'root');
  putString(h, 297, 32, 'root');
  putString(h, 345, 155, prefix);
  let sum = 0;
  for (const b of h) sum += b;
  putString(h, 148, 7, sum.toString(8).padStart(6, '0') + '\0');
  return h;
}

const padding = (size: number) => (block - (size % block)) % block;

/** ustar's split of a long name into prefix (≤155) and name (≤100) at a slash, if one fits. */
function splitName(name: string): { prefix: string; name: string } | undefined {
  const bytes = encoder.encode(name).length;
  if (bytes <= 100) return { prefix: '', name };
  for (let i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) {
    const head = name.slice(0, i), tail = name.slice(i + 1);
    if (encoder.encode(head).length <= 155 && tail && encoder.encode(tail).length <= 100) return { prefix: head, name: tail };
  }
  return undefined;
}

/** An archive of the entries, in order, as `tar cf -` writes it. */
export function writeTar(entries: Array<Omit<TarEntry, 'type'> & { type: 'file' | 'dir' }>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    const typeflag = e.type === 'dir' ? '5' : '0';
    const size = e.type === 'dir' ? 0 : e.data.length;
    const split = splitName(e.name);
    if (!split) {
      // GNU tar's long name: a `././@LongLink` entry whose data is the name.
      const long = encoder.encode(`${e.name}\0`);
      parts.push(headerBlock('././@LongLink', 'L', long.length, 0, 0), long, new Uint8Array(padding(long.length)));
    }
    parts.push(headerBlock(split?.name ?? e.name.slice(0, 100), typeflag, size, e.mode, e.mtimeSec, split?.prefix));
    if (size) parts.push(e.data, new Uint8Array(padding(size)));
  }
  parts.push(new Uint8Array(2 * block));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

export class TarError extends Error {}

/** A NUL-terminated text field. */
function field(h: Uint8Array, offset: number, length: number): string {
  const raw = h.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return decoder.decode(end < 0 ? raw : raw.subarray(0, end));
}

/** An octal number field, or GNU's base-256 form (high bit set) for large values. */
function number(h: Uint8Array, offset: number, length: number): number {
  if (h[offset] & 0x80) {
    let value = h[offset] & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + h[offset + i];
    return value;
  }
  const text = field(h, offset, length).trim();
  if (!/^[0-7]*$/.test(text)) throw new TarError('invalid tar header');
  return text ? Number.parseInt(text, 8) : 0;
}

/** PAX extended records: `LEN key=value\n` each; only `path` and `linkpath` matter here. */
function paxRecords(data: Uint8Array): Map<string, string> {
  const records = new Map<string, string>();
  const text = decoder.decode(data);
  let at = 0;
  while (at < text.length) {
    const space = text.indexOf(' ', at);
    const length = Number.parseInt(text.slice(at, space), 10);
    if (space < 0 || !(length > 0) || at + length > text.length) throw new TarError('invalid tar header');
    const record = text.slice(space + 1, at + length - 1);
    const eq = record.indexOf('=');
    if (eq > 0) records.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return records;
}

/** The entries of an archive (read to its end-of-archive blocks, or to the end of the input). */
export function readTar(archive: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let at = 0;
  let longName: string | undefined, longLink: string | undefined;
  while (at + block <= archive.length) {
    const h = archive.subarray(at, at + block);
    if (h.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < block; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
    if (number(h, 148, 8) !== sum) throw new TarError('invalid tar header');
    const size = number(h, 124, 12);
    const start = at + block;
    if (start + size > archive.length) throw new TarError('unexpected EOF');
    const data = archive.subarray(start, start + size);
    at = start + size + padding(size);
    const typeflag = String.fromCharCode(h[156] || 0x30);
    if (typeflag === 'L') { longName = field(data, 0, data.length); continue; }
    if (typeflag === 'K') { longLink = field(data, 0, data.length); continue; }
    if (typeflag === 'x') { const pax = paxRecords(data); longName = pax.get('path') ?? longName; longLink = pax.get('linkpath') ?? longLink; continue; }
    if (typeflag === 'g') continue;
    const magic = field(h, 257, 6);
    const prefix = magic.startsWith('ustar') && h[263] === 0x30 ? field(h, 345, 155) : '';
    const name = longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    const type = typeflag === '5' ? 'dir' : typeflag === '0' || typeflag === '7' ? 'file' : typeflag === '2' ? 'symlink' : 'other';
    entries.push({ name, type, data, mode: number(h, 100, 8), mtimeSec: number(h, 136, 12), ...(type === 'symlink' ? { linkname: longLink ?? field(h, 157, 100) } : {}) });
    longName = longLink = undefined;
  }
  return entries;
}
