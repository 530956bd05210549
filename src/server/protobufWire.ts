/**
 * The protobuf wire format, both ways: a bounded reader (every length is checked against what
 * is left before anything is allocated; varints stop at 10 bytes) and a growable writer.
 */

export const wireNames = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32', 'invalid (6)', 'invalid (7)'];

/** A malformed body; `path` collects the JSON field names on the way out. */
export class Malformed extends Error {
  readonly path: string[] = [];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

export function text(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new Malformed('string is not valid UTF-8');
  }
}

export class Reader {
  pos: number;
  constructor(private readonly buf: Uint8Array, start = 0, private readonly end = buf.length) { this.pos = start; }

  get done(): boolean { return this.pos >= this.end; }

  /** A varint as its low and high 32 bits (unsigned), so int64 and negative int32 stay exact. */
  varint(): [lo: number, hi: number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Malformed('unexpected end of data inside a varint');
      const b = this.buf[this.pos++];
      if (i < 4) {
        lo |= (b & 0x7f) << (7 * i);
      } else if (i === 4) { // byte 5 straddles: 4 bits finish lo, 3 start hi
        lo |= (b & 0x0f) << 28;
        hi = (b & 0x7f) >> 4;
      } else {
        hi |= (b & 0x7f) << (7 * i - 32);
      }
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
    }
    throw new Malformed('varint longer than 10 bytes');
  }

  /** A length prefix, checked against what is left before any allocation. */
  length(): number {
    const [lo, hi] = this.varint();
    const left = this.end - this.pos;
    if (hi !== 0 || lo > left) throw new Malformed(`length ${hi ? '≥ 2^32' : lo} exceeds the ${left} bytes left`);
    return lo;
  }

  tag(): [field: number, wire: number] {
    const [lo, hi] = this.varint();
    if (hi !== 0 || lo >>> 3 === 0) throw new Malformed(`invalid field number ${hi ? '≥ 2^29' : lo >>> 3}`);
    return [lo >>> 3, lo & 7];
  }

  /** A length-delimited payload as its own reader over the same buffer (no copy). */
  sub(): Reader {
    const n = this.length();
    const sub = new Reader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return sub;
  }

  bytes(): Uint8Array {
    const n = this.length();
    this.pos += n;
    return this.buf.subarray(this.pos - n, this.pos);
  }

  double(): number {
    if (this.end - this.pos < 8) throw new Malformed('unexpected end of data inside a fixed-width field');
    const value = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return value;
  }

  /** Skips an unknown field. Kubernetes never uses groups, so they are malformed here. */
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 2) {
      const n = this.length(); // read before `pos +=`, which would capture the old pos
      this.pos += n;
    } else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (this.end - this.pos < n) throw new Malformed('unexpected end of data inside a fixed-width field');
      this.pos += n;
    } else throw new Malformed(`unsupported wire type ${wireNames[wire]}`);
  }
}

export class Writer {
  buf = new Uint8Array(1024);
  pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  /** A varint of a non-negative integer, or of a negative one as its 64-bit two's complement (10 bytes). */
  varint(n: number): void {
    this.ensure(10);
    if (n >= 0 && n < 0x80000000) {
      while (n > 0x7f) { this.buf[this.pos++] = (n & 0x7f) | 0x80; n >>>= 7; }
      this.buf[this.pos++] = n;
      return;
    }
    let v = BigInt.asUintN(64, BigInt(Math.trunc(n)));
    while (v > 0x7fn) { this.buf[this.pos++] = Number(v & 0x7fn) | 0x80; v >>= 7n; }
    this.buf[this.pos++] = Number(v);
  }

  tag(field: number, wire: number): void { this.varint(field * 8 + wire); }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, 2);
    this.varint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  string(field: number, value: string): void {
    this.tag(field, 2);
    // ASCII is one byte a character: its length is known before writing
    if (/^[\x00-\x7f]*$/.test(value)) {
      this.varint(value.length);
      this.ensure(value.length);
      for (let i = 0; i < value.length; i++) this.buf[this.pos++] = value.charCodeAt(i);
      return;
    }
    const start = this.fork();
    this.ensure(value.length * 3);
    this.pos += utf8Encoder.encodeInto(value, this.buf.subarray(this.pos)).written;
    this.join(start);
  }

  double(field: number, value: number): void {
    this.tag(field, 1);
    this.ensure(8);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).setFloat64(0, value, true);
    this.pos += 8;
  }

  /** Starts a length-delimited value whose length is not known yet: one byte is reserved for it. */
  fork(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Ends what fork started: writes its length, moving the body when the length needs more than a byte. */
  join(start: number): void {
    const length = this.pos - start - 1;
    if (length < 0x80) { this.buf[start] = length; return; }
    let size = 1;
    for (let n = length; n > 0x7f; n >>>= 7) size++;
    this.ensure(size - 1);
    this.buf.copyWithin(start + size, start + 1, this.pos);
    this.pos += size - 1;
    let n = length;
    for (let i = 0; i < size; i++, n >>>= 7) this.buf[start + i] = i < size - 1 ? (n & 0x7f) | 0x80 : n;
  }

  finish(): Uint8Array { return this.buf.slice(0, this.pos); }
}
