import { sql } from "kysely";
import type { Db } from "../../../src/platform/db/connection.js";

// What the app writes on purpose for refused requests too: the request log and each key's daily
// usage. A condition on the row (as NEW or OLD) that is true for the rows that do count.
const COUNTED_ROWS: Record<string, (row: "NEW" | "OLD") => string> = {
  api_key_usage_daily: () => "false",
  logs: (row) => `${row}.kind <> 'request'`,
};
// What changes with every use of a credential (flushed in the background), not with a request's data.
const TOUCHED_BY_USE: Record<string, string> = { api_keys: "last_used_at" };

/**
 * Installs, in the test's own database, a count of the rows each transaction inserted, changed
 * or deleted, per table: AFTER ROW triggers add to a table of counters in the same transaction,
 * so what rolled back counts for nothing and an UPDATE that changed no value is not a write.
 * Returns the fingerprint: the counters as one string. Reading it costs one tiny query, where
 * counting and hashing every table took most of the run.
 */
export async function installWriteCounter(db: Db): Promise<() => Promise<string>> {
  await sql`CREATE TABLE fuzz_writes (table_name text PRIMARY KEY, n bigint NOT NULL)`.execute(db);
  await sql`
    CREATE FUNCTION fuzz_count_write() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO fuzz_writes VALUES (TG_TABLE_NAME, 1)
        ON CONFLICT (table_name) DO UPDATE SET n = fuzz_writes.n + 1;
      RETURN NULL;
    END $$`.execute(db);
  const tables = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'fuzz_writes'`.execute(db);
  for (const { name } of tables.rows) {
    const counted = COUNTED_ROWS[name] ?? (() => "true");
    const ignored = TOUCHED_BY_USE[name];
    const changed = ignored
      ? `(to_jsonb(OLD) - '${ignored}') IS DISTINCT FROM (to_jsonb(NEW) - '${ignored}')`
      : "OLD.* IS DISTINCT FROM NEW.*";
    for (const [event, when] of <Array<[string, string]>>[
      ["INSERT", counted("NEW")],
      ["UPDATE", `${counted("NEW")} AND ${changed}`],
      ["DELETE", counted("OLD")],
    ]) {
      await sql
        .raw(
          `CREATE TRIGGER fuzz_count_${event.toLowerCase()} AFTER ${event} ON "${name}"
           FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION fuzz_count_write()`,
        )
        .execute(db);
    }
  }
  return async () => {
    const result = await sql<{ f: string | null }>`
      SELECT string_agg(table_name || '=' || n, ' ' ORDER BY table_name) AS f FROM fuzz_writes`.execute(db);
    return result.rows[0]?.f ?? "";
  };
}

/** The tables whose counters differ between two fingerprints. */
export function changedTables(before: string, after: string): string[] {
  const old = new Set(before.split(" "));
  return after
    .split(" ")
    .filter((part) => part !== "" && !old.has(part))
    .map((part) => part.split("=")[0] as string);
}
