import { utf8Length } from '../apimachinery/utf8.ts';

/**
 * Values too large for one SQLite row of a Durable Object. A Durable Object refuses a string,
 * blob or row over 2 MB (SQLITE_TOOBIG), and an operator's CRD with its managedFields is
 * several megabytes. So a value over `inlineBytes` is kept as pieces in `chunks`, once,
 * under the key and the revision that wrote it, and the row of `objects` (and the log rows
 * that hold it as their value or previous value) carries a marker instead: U+0001 then the
 * value's UTF-8 byte count, so SQL still sums every row's true bytes (`valueBytesSql`). No JSON
 * value starts with U+0001; any other value that does is stored in pieces too, so a marker is
 * never mistaken. Pieces of one value go when nothing refers to it any more: its objects row
 * was replaced and the log entry that names it as its previous value was compacted
 * (`collectSql`, run as the log is compacted).
 */

/** The part of a Durable Object's SQL surface used here (sqlite.ts's SqlStorage). */
interface SqlStorage { exec<T>(query: string, ...bindings: Array<string | number | null>): { toArray(): T[] } }

/** Up to this many UTF-8 bytes a value stays in its row: a log row holds two, under 2 MB. */
export const inlineBytes = 512 * 1024;
/** UTF-16 units per piece: at most 768 KiB of UTF-8. */
const pieceUnits = 256 * 1024;
const marker = '\u0001';

export const chunksTable = `CREATE TABLE IF NOT EXISTS chunks (key TEXT NOT NULL, rev INTEGER NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (key, rev, seq))`;

/** A column's value bytes as recordBytes counts them, markers read as the bytes they stand for. */
export const valueBytesSql = (column: string) =>
  `CASE WHEN substr(${column}, 1, 1) = char(1) THEN CAST(substr(${column}, 2) AS INTEGER) ELSE length(CAST(${column} AS BLOB)) END`;

/** Deletes the pieces of the previous values of log rows up to a revision, before those rows go. */
export const collectSql = `DELETE FROM chunks WHERE (key, rev) IN (SELECT key, prev_mod_rev FROM log WHERE rev <= ? AND substr(prev_value, 1, 1) = char(1))`;

export const isMarker = (stored: string | null): boolean => stored !== null && stored.charCodeAt(0) === 1;

/** The text to store in a row for `value` written at (key, rev): the value itself, or a marker after its pieces are written. */
export function storeValue(sql: SqlStorage, key: string, rev: number, value: string): string {
  const bytes = utf8Length(value);
  if (bytes <= inlineBytes && !value.startsWith(marker)) return value;
  for (let start = 0, seq = 0; start < value.length; seq++) {
    let end = Math.min(start + pieceUnits, value.length);
    // A surrogate pair stays whole: half of one is not text SQLite can keep.
    if (end < value.length && value.charCodeAt(end - 1) >= 0xd800 && value.charCodeAt(end - 1) <= 0xdbff) end--;
    sql.exec(`INSERT INTO chunks (key, rev, seq, data) VALUES (?, ?, ?, ?)`, key, rev, seq, value.slice(start, end));
    start = end;
  }
  return marker + bytes;
}

/** A stored row's value: itself, or the pieces its marker stands for. */
export function loadValue(sql: SqlStorage, key: string, rev: number, stored: string): string {
  if (!isMarker(stored)) return stored;
  return sql.exec<{ data: string }>(`SELECT data FROM chunks WHERE key = ? AND rev = ? ORDER BY seq`, key, rev).toArray().map((r) => r.data).join('');
}
