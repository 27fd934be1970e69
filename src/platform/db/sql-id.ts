import { type RawBuilder, sql } from "kysely";
import { ID_PREFIXES, type IdKind } from "../ids.js";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * An id shaped as `newId` makes them (platform/ids.ts: prefix, 10 base32 characters of
 * milliseconds, 16 random ones), computed by PostgreSQL, so bulk INSERT … SELECT can make
 * thousands of rows without sending each id from JavaScript. For demo and benchmark data: the
 * random part uses only the hex digits of the alphabet (64 bits, not newId's 80).
 */
export function sqlId(kind: IdKind, millis: RawBuilder<unknown>): RawBuilder<string> {
  const char = (index: RawBuilder<unknown>) =>
    sql`substr('${sql.raw(ALPHABET)}', (${index})::integer + 1, 1)`;
  const time = Array.from({ length: 10 }, (_, i) =>
    char(sql`((${millis})::bigint >> ${sql.raw(String(5 * (9 - i)))}) & 31`),
  );
  // 16 upper-case hex digits: valid base32 characters, 64 random bits, in two function calls
  // instead of sixteen random() per row.
  const random = sql`upper(substr(md5(random()::text), 1, 16))`;
  return sql<string>`('${sql.raw(ID_PREFIXES[kind])}_' || ${sql.join(time, sql` || `)} || ${random})`;
}

/**
 * Milliseconds since the epoch of a timestamptz expression, for `sqlId`. `sqlId` repeats it ten
 * times: hand it a column computed once in a subquery when the rows are many.
 */
export const epochMillis = (timestamp: RawBuilder<unknown>) =>
  sql`(extract(epoch FROM ${timestamp}) * 1000)::bigint`;
