/**
 * metav1.Time on the wire: RFC 3339 in whole seconds (`2025-01-02T03:04:05Z`). Go marshals
 * Time with time.RFC3339, which has no fraction, so every stored timestamp goes through here.
 */
export function timestamp(at: Date | number): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** metav1.MicroTime on the wire: RFC 3339 with exactly six fractional digits (`2025-01-02T03:04:05.123000Z`). */
export function microTimestamp(at: Date | number): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
