/**
 * resource.Quantity parsing (k8s.io/apimachinery/pkg/api/resource/quantity.go):
 * one left-to-right pass over the string, as parseQuantityString does, so any
 * input costs time linear in its length. The errors are ParseQuantity's, which
 * the JSON decoder returns as they are: kube-apiserver answers a body holding a
 * malformed quantity with 400 `Pod in version "v1" cannot be handled as a Pod:
 * quantities must match the regular expression '…'`.
 */

export const quantityFormatError = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const quantitySuffixError = "unable to parse quantity's suffix";
const quantityNumericError = 'unable to parse numeric part of quantity';
export const quantityErrors: ReadonlySet<string> = new Set([quantityFormatError, quantitySuffixError, quantityNumericError]);

export interface ParsedQuantity {
  positive: boolean;
  /** Integer digits without leading zeros ("0" when there are none). */
  num: string;
  /** Fraction digits, as written. */
  denom: string;
  base: 2 | 10;
  exponent: number;
  format: 'DecimalSI' | 'BinarySI' | 'DecimalExponent';
}

const isDigit = (c: number) => c >= 48 && c <= 57;
/** Whether s holds a digit of at least `min` (a loop: no regular expression sees client input). */
function hasDigit(s: string, min = 0): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 + min && c <= 57) return true;
  }
  return false;
}
const suffixChars = new Set('eEinumkKMGTP');

const decimalSuffixes: Record<string, number> = { '': 0, n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** strconv.ParseInt(s, 10, 64) on the exponent digits; undefined where Go's fails. */
function parseInt64(s: string): number | undefined {
  let i = 0;
  if (s[0] === '+' || s[0] === '-') i = 1;
  if (i === s.length) return undefined;
  for (let j = i; j < s.length; j++) if (!isDigit(s.charCodeAt(j))) return undefined;
  let first = i;
  while (first < s.length - 1 && s[first] === '0') first++;
  // more than 19 significant digits overflows (checked before BigInt sees a long string)
  if (s.length - first > 19) return undefined;
  const n = BigInt(s.slice(0, i) === '-' ? `-${s.slice(first)}` : s.slice(first));
  if (n > 9223372036854775807n || n < -9223372036854775808n) return undefined;
  // int32(parsed), as suffixHandler.interpret converts it
  return Number(BigInt.asIntN(32, n));
}

/** suffixer.interpret. */
function interpret(suffix: string): { base: 2 | 10; exponent: number; format: ParsedQuantity['format'] } | undefined {
  if (Object.hasOwn(decimalSuffixes, suffix)) return { base: 10, exponent: decimalSuffixes[suffix], format: 'DecimalSI' };
  if (Object.hasOwn(binarySuffixes, suffix)) return { base: 2, exponent: binarySuffixes[suffix], format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'E' || suffix[0] === 'e')) {
    const exponent = parseInt64(suffix.slice(1));
    return exponent === undefined ? undefined : { base: 10, exponent, format: 'DecimalExponent' };
  }
  return undefined;
}

/**
 * The last string parsed and its parts: one write reads its quantities several times (their
 * validation, their sign, the scheduler's value), each a scan of the whole string (25,000 digits
 * in the attacks bench).
 */
let lastParsed: { input: string; parsed: Readonly<ParsedQuantity | { error: string }> } | undefined;

/** ParseQuantity: the parts of a quantity, or the error kube-apiserver gives for it (not to be changed: the same parts are given again for the same string). */
export function parseQuantity(input: string): Readonly<ParsedQuantity | { error: string }> {
  if (lastParsed?.input === input) return lastParsed.parsed;
  const parsed = Object.freeze(parseQuantityString(input));
  lastParsed = { input, parsed };
  return parsed;
}

function parseQuantityString(input: string): ParsedQuantity | { error: string } {
  // Quantity.UnmarshalJSON trims surrounding space first
  const str = input.trim();
  const end = str.length;
  if (end === 0) return { error: quantityFormatError };
  let positive = true, pos = 0;
  if (str[0] === '-') { positive = false; pos++; } else if (str[0] === '+') pos++;
  while (pos < end && str[pos] === '0') pos++;
  const numStart = pos;
  while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
  const num = str.slice(numStart, pos) || '0';
  let denom = '';
  if (pos < end && str[pos] === '.') {
    const denomStart = ++pos;
    while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
    denom = str.slice(denomStart, pos);
  }
  const valueEnd = pos;
  const suffixStart = pos;
  while (pos < end && suffixChars.has(str[pos])) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
  if (pos < end) return { error: quantityFormatError };
  const suffix = str.slice(suffixStart);
  const kind = interpret(suffix);
  if (!kind) return { error: quantitySuffixError };
  // The big-decimal path (more digits than an int64 holds, a scale under nano, a binary
  // suffix on a fraction) reads the number with inf.Dec, which wants at least one digit.
  let precision: number, scale: number;
  if (kind.format === 'BinarySI') {
    scale = 0;
    precision = kind.exponent >= 0 && denom.length === 0 ? 15 - num.length - Math.trunc(kind.exponent * 3 / 10) - 1 : -1;
  } else {
    scale = kind.exponent;
    precision = 18 - (num.length + denom.length);
  }
  const fastPath = precision >= 0 && scale - denom.length >= -9;
  if (!fastPath && !hasDigit(str.slice(0, valueEnd))) return { error: quantityNumericError };
  return { positive, num, denom, ...kind };
}

/** The error ParseQuantity gives for this string, undefined for a valid quantity. */
export function quantityError(value: string): string | undefined {
  const parsed = parseQuantity(value);
  return 'error' in parsed ? parsed.error : undefined;
}

/**
 * The value as a float: exact for everyday quantities, ±Infinity (never NaN) past
 * what a double holds, NaN only for a malformed string. Linear in the length.
 */
export function quantityValue(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return NaN;
  const q = parseQuantity(value);
  if ('error' in q) return NaN;
  // Past a double's range (its largest is under 10^309) without building the digits into one more
  // string: num has no leading zeros, and every suffix's exponent of 2 is positive.
  const past = q.num.length > 330 && (q.base === 2 || q.num.length + q.exponent > 330);
  // JavaScript's own number parser takes the decimal exponent (no Infinity × 0 = NaN)
  const magnitude = past ? Infinity : q.base === 10 ? Number(`${q.num}.${q.denom || '0'}e${q.exponent}`) : Number(`${q.num}.${q.denom || '0'}`) * 2 ** q.exponent;
  return q.positive ? magnitude : -magnitude;
}

/** Quantity.Sign() < 0 (ValidateNonnegativeQuantity). */
export function isNegativeQuantity(value: unknown): boolean {
  if (typeof value === 'number') return value < 0;
  if (typeof value !== 'string') return false;
  const q = parseQuantity(value);
  if ('error' in q || q.positive) return false;
  return hasDigit(q.num, 1) || hasDigit(q.denom, 1);
}

/**
 * Quantity.MilliValue: the amount in thousandths, as an integer (quota sums and LimitRange
 * comparisons are done at this precision, as kube-apiserver does for values that fit).
 */
export function milliValue(value: unknown): number {
  const v = quantityValue(value);
  return Number.isFinite(v) ? Math.round(v * 1000) : v;
}

/** The format a quantity was written in: a binary suffix keeps sums binary (`256Mi`), anything else is decimal. */
export function quantityFormat(value: unknown): 'BinarySI' | 'DecimalSI' {
  if (typeof value !== 'string') return 'DecimalSI';
  const q = parseQuantity(value);
  return 'error' in q || q.format !== 'BinarySI' ? 'DecimalSI' : 'BinarySI';
}

const decimalSymbols: Array<[number, string]> = [[18, 'E'], [15, 'P'], [12, 'T'], [9, 'G'], [6, 'M'], [3, 'k']];
const binarySymbols: Array<[number, string]> = [[60, 'Ei'], [50, 'Pi'], [40, 'Ti'], [30, 'Gi'], [20, 'Mi'], [10, 'Ki']];

/**
 * Quantity.String() of an amount given in thousandths: the largest suffix that keeps the
 * number whole (`1500m`, `2`, `1k`, `128Mi`); a binary amount that is not a whole number
 * of bytes, or not a multiple of 1024, is written as decimal, as CanonicalizeBytes does.
 */
export function formatQuantity(milli: number, format: 'BinarySI' | 'DecimalSI' = 'DecimalSI'): string {
  if (!Number.isFinite(milli)) return '0';
  const sign = milli < 0 ? '-' : '';
  const abs = Math.abs(milli);
  if (abs % 1000 !== 0) return `${sign}${abs}m`;
  const whole = abs / 1000;
  if (whole === 0) return '0';
  if (format === 'BinarySI' && whole >= 1024) {
    for (const [power, symbol] of binarySymbols) if (whole % 2 ** power === 0) return `${sign}${whole / 2 ** power}${symbol}`;
    return `${sign}${whole}`;
  }
  if (format === 'BinarySI') return `${sign}${whole}`;
  for (const [power, symbol] of decimalSymbols) if (whole % 10 ** power === 0) return `${sign}${whole / 10 ** power}${symbol}`;
  return `${sign}${whole}`;
}

/** Quantity.String() of a quantity as written (`1024Mi` → `1Gi`, `0.5` → `500m`). */
export const canonicalQuantity = (value: unknown): string => formatQuantity(milliValue(value), quantityFormat(value));
