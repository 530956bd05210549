import type { FieldError } from './errors.ts';

/**
 * Bad values as kube-apiserver prints them in field errors. field.Error renders
 * numbers, bools and strings simply, but structs and maps with Go's `%#v`
 * (`map[string]string{"app":"web"}`), and users read those messages; errors.ts
 * renders values as JSON, so these helpers put the Go rendering into the detail.
 */

/** Go's %q for the strings we print (keys and values are ASCII in practice). */
export const goQuote = (s: string) => JSON.stringify(s);

/** `%#v` of a map[string]string: keys sorted, `nil` for an absent map. */
export function goStringMap(map: Record<string, string> | undefined | null): string {
  if (!map) return 'map[string]string(nil)';
  const entries = Object.keys(map).sort().map((k) => `${goQuote(k)}:${goQuote(String(map[k]))}`);
  return `map[string]string{${entries.join(', ')}}`;
}

/** `%#v` of a []string. */
export const goStrings = (list: string[] | undefined | null) => (list ? `[]string{${list.map(goQuote).join(', ')}}` : '[]string(nil)');

/** A FieldValueInvalid whose bad value is already rendered the Go way. */
export function invalidGo(field: string, goValue: string, detail: string): FieldError {
  return { field, type: 'FieldValueInvalid', detail: `${goValue}: ${detail}` };
}

/** `%#v` of a []byte: `[]byte{0x2d, 0x2d}` (how a bad CSR's request is echoed). */
export const goBytes = (bytes: Uint8Array) => `[]byte{${Array.from(bytes, (b) => `0x${b.toString(16)}`).join(', ')}}`;
