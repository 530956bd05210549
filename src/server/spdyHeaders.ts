/**
 * SPDY/3's header blocks: name/value pairs in one zlib stream per direction and connection,
 * primed with SPDY/3's dictionary and sync-flushed after each block (Go's spdy framer, which
 * kubectl's port-forward uses, via moby/spdystream). Runtime-neutral: the client's blocks are
 * inflated by the Web `DecompressionStream('deflate-raw')` that Node and workerd both have,
 * after a stored block holding the dictionary (what a preset dictionary is: the window's first
 * bytes); ours go out as stored blocks, which any inflater reads without a dictionary.
 */

const dictionaryWords = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
  'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
  'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
  'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
  'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
  'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive', 'origin',
];
const dictionaryTail = '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505'
  + '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden'
  + '404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable'
  + 'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT'
  + 'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,'
  + 'publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** SPDY/3's zlib dictionary (1423 bytes): each word with a 32-bit length, then the tail. */
export const spdyDictionary: Uint8Array = (() => {
  const parts = dictionaryWords.flatMap((w) => { const b = encoder.encode(w); return [u32(b.length), b]; });
  return concat([...parts, encoder.encode(dictionaryTail)]);
})();

function u32(n: number): Uint8Array {
  return new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

export function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function adler32(data: Uint8Array): number {
  let a = 1, b = 0;
  for (const byte of data) { a = (a + byte) % 65521; b = (b + a) % 65521; }
  return ((b << 16) | a) >>> 0;
}
const dictionaryId = adler32(spdyDictionary);

/** Raw deflate stored blocks (not final) carrying `data`: byte-aligned, as a sync flush leaves the stream. */
function storedBlocks(data: Uint8Array): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < data.length || !parts.length; at += 65535) {
    const chunk = data.subarray(at, at + 65535);
    const n = chunk.length;
    parts.push(new Uint8Array([0x00, n & 0xff, n >>> 8, ~n & 0xff, (~n >>> 8) & 0xff]), chunk);
  }
  return concat(parts);
}

export type HeaderBlock = Array<[name: string, value: string]>;

/** A block's plain form: a count, then each name and value with a 32-bit length (several values joined by NUL). */
export function encodeHeaderBlock(headers: HeaderBlock): Uint8Array {
  const parts: Uint8Array[] = [u32(headers.length)];
  for (const [name, value] of headers) {
    const n = encoder.encode(name.toLowerCase()), v = encoder.encode(value);
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return concat(parts);
}

/** Our direction's zlib stream: a header naming the dictionary, then each block stored and flushed. */
export class HeaderCompressor {
  private started = false;

  compress(headers: HeaderBlock): Uint8Array {
    const parts: Uint8Array[] = [];
    if (!this.started) {
      this.started = true;
      // CMF 0x78 (deflate, 32K window); FLG: best compression, FDICT, check bits so that CMF·256+FLG ≡ 0 (mod 31).
      parts.push(new Uint8Array([0x78, 0xf9]), u32(dictionaryId));
    }
    parts.push(storedBlocks(encodeHeaderBlock(headers)), storedBlocks(new Uint8Array(0)));
    return concat(parts);
  }
}

export class HeaderError extends Error {}

/** The most a block may inflate to: kubectl's are a few dozen bytes; a bomb is cut here. */
const maxBlockBytes = 16 << 10;

/**
 * The client's direction: each call inflates the next block (calls must be made in frame order).
 * A block that is not a whole header block, or that inflates past the bound, is a HeaderError.
 */
export class HeaderInflater {
  private readonly writer: WritableStreamDefaultWriter<BufferSource>;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  /** Inflated bytes not yet parsed (the dictionary's copy is skipped first). */
  private pending: Uint8Array = new Uint8Array(0);
  private skip = spdyDictionary.length;
  private headerSeen = false;
  private failed = false;

  constructor() {
    const stream = new DecompressionStream('deflate-raw');
    this.writer = stream.writable.getWriter();
    this.reader = stream.readable.getReader();
    // The writes resolve as the reader drains them; their failures surface on the reader.
    void this.writer.write(storedBlocks(spdyDictionary)).catch(() => {});
  }

  async inflate(compressed: Uint8Array): Promise<HeaderBlock> {
    if (this.failed) throw new HeaderError('header stream failed');
    let data = compressed;
    if (!this.headerSeen) {
      if (data.length < 2 || (data[0] & 0x0f) !== 8 || ((data[0] << 8) | data[1]) % 31 !== 0) return this.fail('invalid zlib header');
      const fdict = (data[1] & 0x20) !== 0;
      if (fdict && (data.length < 6 || ((data[2] << 24) | (data[3] << 16) | (data[4] << 8) | data[5]) >>> 0 !== dictionaryId)) return this.fail('wrong dictionary');
      data = data.subarray(fdict ? 6 : 2);
      this.headerSeen = true;
    }
    void this.writer.write(data.slice()).catch(() => {});
    for (;;) {
      const block = this.parse();
      if (block) return block;
      if (this.pending.length > maxBlockBytes) return this.fail('header block too large');
      let next: ReadableStreamReadResult<Uint8Array>;
      try { next = await this.reader.read(); } catch { return this.fail('invalid compressed header block'); }
      if (next.done) return this.fail('header stream ended');
      let chunk = next.value;
      if (this.skip) { const n = Math.min(this.skip, chunk.length); this.skip -= n; chunk = chunk.subarray(n); }
      if (chunk.length) this.pending = this.pending.length ? concat([this.pending, chunk]) : chunk.slice();
    }
  }

  /** One whole block from what is inflated so far, or undefined if more is needed. */
  private parse(): HeaderBlock | undefined {
    const p = this.pending;
    const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
    if (p.length < 4) return undefined;
    const count = view.getUint32(0);
    if (count > 256) this.fail('too many headers');
    let at = 4;
    const headers: HeaderBlock = [];
    for (let i = 0; i < count; i++) {
      if (at + 4 > p.length) return undefined;
      const nameLength = view.getUint32(at);
      if (nameLength > maxBlockBytes) this.fail('header block too large');
      if (at + 4 + nameLength + 4 > p.length) return undefined;
      const name = decoder.decode(p.subarray(at + 4, at + 4 + nameLength));
      at += 4 + nameLength;
      const valueLength = view.getUint32(at);
      if (valueLength > maxBlockBytes) this.fail('header block too large');
      if (at + 4 + valueLength > p.length) return undefined;
      headers.push([name, decoder.decode(p.subarray(at + 4, at + 4 + valueLength))]);
      at += 4 + valueLength;
    }
    this.pending = p.subarray(at);
    return headers;
  }

  private fail(message: string): never {
    this.failed = true;
    void this.writer.abort().catch(() => {});
    throw new HeaderError(message);
  }

  close(): void {
    void this.writer.abort().catch(() => {});
  }
}
