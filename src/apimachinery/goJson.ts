/**
 * The words of Go's encoding/json scanner for malformed input ("unexpected end of JSON input",
 * "invalid character 'x' looking for beginning of value", …): kube-apiserver puts them in its
 * 400s, and clients compare error text. JSON.parse decides whether a body is valid; this only
 * finds, for a body it refused, the first byte Go's scanner would refuse and why.
 */

class Refused {
  constructor(readonly message: string) {}
}

const controlEscapes: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

/** quoteChar: the character in single quotes, escaped as strconv.Quote escapes it. */
function quoteChar(ch: string): string {
  if (ch === "'") return "'\\''";
  if (ch === '"') return "'\"'";
  if (ch === '\\') return "'\\\\'";
  const code = ch.charCodeAt(0);
  if (controlEscapes[ch]) return `'${controlEscapes[ch]}'`;
  if (code < 0x20 || code === 0x7f) return `'\\x${code.toString(16).padStart(2, '0')}'`;
  return `'${ch}'`;
}

const isSpace = (ch: string | undefined) => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
const isDigit = (ch: string | undefined) => ch !== undefined && ch >= '0' && ch <= '9';
const isHex = (ch: string | undefined) => ch !== undefined && /^[0-9a-fA-F]$/.test(ch);

class Scanner {
  private i = 0;
  constructor(private readonly text: string) {}

  private peek(): string {
    if (this.i >= this.text.length) throw new Refused('unexpected end of JSON input');
    return this.text[this.i];
  }

  private fail(context: string): never {
    throw new Refused(`invalid character ${quoteChar(this.text[this.i])} ${context}`);
  }

  private space(): void {
    while (isSpace(this.text[this.i])) this.i++;
  }

  document(): void {
    this.space();
    this.value();
    this.space();
    if (this.i < this.text.length) this.fail('after top-level value');
  }

  private value(): void {
    const ch = this.peek();
    if (ch === '{') return this.object();
    if (ch === '[') return this.array();
    if (ch === '"') return this.string();
    if (ch === '-' || isDigit(ch)) return this.number();
    for (const literal of ['true', 'false', 'null']) if (ch === literal[0]) return this.literal(literal);
    this.fail('looking for beginning of value');
  }

  private object(): void {
    this.i++;
    this.space();
    if (this.peek() === '}') { this.i++; return; }
    for (;;) {
      if (this.peek() !== '"') this.fail('looking for beginning of object key string');
      this.string();
      this.space();
      if (this.peek() !== ':') this.fail('after object key');
      this.i++;
      this.space();
      this.value();
      this.space();
      const next = this.peek();
      if (next === '}') { this.i++; return; }
      if (next !== ',') this.fail('after object key:value pair');
      this.i++;
      this.space();
    }
  }

  private array(): void {
    this.i++;
    this.space();
    if (this.peek() === ']') { this.i++; return; }
    for (;;) {
      this.value();
      this.space();
      const next = this.peek();
      if (next === ']') { this.i++; return; }
      if (next !== ',') this.fail('after array element');
      this.i++;
      this.space();
    }
  }

  private string(): void {
    this.i++;
    for (;;) {
      const ch = this.peek();
      if (ch === '"') { this.i++; return; }
      if (ch.charCodeAt(0) < 0x20) this.fail('in string literal');
      this.i++;
      if (ch !== '\\') continue;
      const escape = this.peek();
      if (!'"\\/bfnrtu'.includes(escape)) this.fail('in string escape code');
      this.i++;
      if (escape !== 'u') continue;
      for (let k = 0; k < 4; k++, this.i++) if (!isHex(this.peek())) this.fail('in \\u hexadecimal character escape');
    }
  }

  private number(): void {
    if (this.text[this.i] === '-') {
      this.i++;
      if (!isDigit(this.peek())) this.fail('in numeric literal');
    }
    if (this.text[this.i] === '0') this.i++;
    else while (isDigit(this.text[this.i])) this.i++;
    if (this.text[this.i] === '.') {
      this.i++;
      if (!isDigit(this.peek())) this.fail('after decimal point in numeric literal');
      while (isDigit(this.text[this.i])) this.i++;
    }
    if (this.text[this.i] === 'e' || this.text[this.i] === 'E') {
      this.i++;
      if (this.peek() === '+' || this.peek() === '-') this.i++;
      if (!isDigit(this.peek())) this.fail('in exponent of numeric literal');
      while (isDigit(this.text[this.i])) this.i++;
    }
  }

  private literal(word: string): void {
    this.i++;
    for (let k = 1; k < word.length; k++, this.i++) {
      if (this.peek() !== word[k]) this.fail(`in literal ${word} (expecting ${quoteChar(word[k])})`);
    }
  }
}

/** Go's error for text JSON.parse refused, or undefined if Go's scanner would accept it too. */
export function goJsonSyntaxError(text: string): string | undefined {
  try {
    new Scanner(text).document();
    return undefined;
  } catch (err) {
    if (err instanceof Refused) return err.message;
    // Nesting deep enough to exhaust the stack: Go's decoder stops at 10000 levels with these words.
    if (err instanceof RangeError) return 'exceeded max depth';
    throw err;
  }
}

/** summarizeData (apiserver's handlers): a body as a 400 quotes it, at most 30 bytes of it. */
export function summarizeBody(bytes: Uint8Array, maxLength = 30): string {
  if (!bytes.byteLength) return '<empty>';
  const head = bytes.subarray(0, maxLength);
  const more = bytes.byteLength > maxLength ? ' ...' : '';
  if (bytes[0] === 0x7b) return new TextDecoder().decode(head) + more;
  return Array.from(head, (b) => b.toString(16).padStart(2, '0')).join('') + more;
}
