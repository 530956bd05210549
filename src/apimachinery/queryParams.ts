import { badRequest } from './errors.ts';

/**
 * Query parameters read as kube-apiserver reads them: its parameter codec converts
 * `url.Values` into ListOptions, DeleteOptions, PodLogOptions… with apimachinery's
 * conversion functions (k8s.io/apimachinery/pkg/runtime/conversion.go), which take the
 * first value of a repeated parameter. Parameters nobody reads are ignored, as there.
 */

/** What every reader here takes: the first value of a parameter, or undefined when it is absent. */
export type QueryValue = string | undefined;

/**
 * Convert_Slice_string_To_bool: absent is false; "0" and "false" in any case are false;
 * anything else present — "True", "1", "yes", even the empty string — is true.
 * (Python's client sends `watch=True`; a watch it is.)
 */
export function queryBool(value: QueryValue): boolean {
  if (value === undefined) return false;
  return !(value === '0' || value.toLowerCase() === 'false');
}

/**
 * strconv.ParseBool, which isPrettyPrint uses for `pretty`: only its twelve spellings
 * parse; anything else is an error, which there means "not pretty".
 */
export function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

const int64Max = 2n ** 63n - 1n;
const int64Min = -(2n ** 63n);

/**
 * Convert_Slice_string_To_int64 (strconv.ParseInt(s, 10, 64)): an optional sign and decimal
 * digits, within int64. A malformed value is a 400 carrying strconv's own words, as
 * kube-apiserver answers (`strconv.ParseInt: parsing "x": invalid syntax`). Values beyond
 * 2^53 lose precision here; every such parameter is a count or seconds, capped far below.
 */
export function queryInt64(value: QueryValue): number | undefined {
  if (value === undefined) return undefined;
  const quoted = JSON.stringify(value);
  if (!/^[+-]?\d+$/.test(value)) throw badRequest(`strconv.ParseInt: parsing ${quoted}: invalid syntax`);
  const n = BigInt(value);
  if (n > int64Max || n < int64Min) throw badRequest(`strconv.ParseInt: parsing ${quoted}: value out of range`);
  return Number(n);
}
