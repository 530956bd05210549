/** Rows as kubectl prints them: columns padded to their widest cell and three spaces apart (the last one not padded). */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat(widths[i] + 3 - [...cell].length))).join('')).join('\n');
}
