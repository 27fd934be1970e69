import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import type { Db } from "../src/platform/db/connection.js";
import { epochMillis, sqlId } from "../src/platform/db/sql-id.js";
import { newId } from "../src/platform/ids.js";
import { type Bench, postJson, readSettings, withDeadline } from "./harness.js";

const BIG = readSettings().quick ? 20_000 : 1_000_000;
const GENERATE_LIMIT_S = 120;
let big: Promise<{ orgId: string; secret: string; entries: number; begin: Date }> | undefined;

/**
 * An organization with a million entries (20,000 with --quick), a year of them by 10 members on
 * 20 projects, and a `read` key: generated once per run, for every scenario that reads it.
 */
export function bigOrganization(bench: Bench) {
  big ??= (async () => {
    const { orgId, secret } = await registerWithKey(bench.realUrl, ["read"]);
    const generated = await withDeadline(
      generateEntries(bench.database.db, orgId, { count: BIG, months: 12, users: 10, projects: 20 }),
      GENERATE_LIMIT_S,
      `generating ${BIG} time entries`,
    );
    process.stderr.write(
      `  generated ${BIG.toLocaleString("en-US")} entries in ${generated.insertSeconds.toFixed(1)} s, ` +
        `VACUUM ANALYZE ${generated.vacuumSeconds.toFixed(1)} s\n`,
    );
    return { orgId, secret, entries: BIG, begin: generated.begin };
  })();
  return big;
}

/** A fresh account and an API key with `scopes`, through the public API as a client would. */
export async function registerWithKey(baseUrl: string, scopes: string[]) {
  const account = await postJson(`${baseUrl}/v1/auth/register`, {
    // Unique, so that a run against BENCH_DATABASE_URL can be repeated.
    email: `bench-${randomBytes(6).toString("hex")}@example.com`,
    password: "correct horse battery",
    name: "Bench",
    organization_name: "Bench",
  });
  const { access_token, organization } = account.data as {
    access_token: string;
    organization: { id: string };
  };
  const key = await postJson(`${baseUrl}/v1/api-keys`, { name: "bench", scopes }, access_token);
  return { orgId: organization.id, secret: (key.data as { secret: string }).secret };
}

/**
 * `count` stopped entries for the organization, evenly over the `months` before the current
 * month (UTC), by `users` members on `projects` projects: one INSERT … SELECT generate_series,
 * in start order so that every index grows at its right edge. Then VACUUM ANALYZE, which sets
 * the visibility map that index-only scans need and gives the planner fresh statistics.
 */
export async function generateEntries(
  db: Db,
  orgId: string,
  options: { count: number; months: number; users: number; projects: number },
) {
  const started = Date.now();
  const userIds = Array.from({ length: options.users }, () => newId("user"));
  await db
    .insertInto("users")
    .values(
      userIds.map((id, i) => ({
        id,
        email: `${id.toLowerCase()}@bench.example`,
        name: `Bench User ${i + 1}`,
        password_hash: null,
      })),
    )
    .execute();
  await db
    .insertInto("memberships")
    .values(userIds.map((user_id) => ({ organization_id: orgId, user_id, role: "member" as const })))
    .execute();
  const projectIds = Array.from({ length: options.projects }, () => newId("project"));
  await db
    .insertInto("projects")
    .values(
      projectIds.map((id, i) => ({
        id,
        organization_id: orgId,
        name: `Bench Project ${i + 1}`,
        hourly_rate: 8000 + i * 500,
      })),
    )
    .execute();

  const now = new Date();
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const begin = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - options.months, 1));
  const spanSeconds = (end.getTime() - begin.getTime()) / 1000;
  const start = sql`g.start_at`;
  await db.transaction().execute(async (trx) => {
    // Building an index once over a million sorted rows costs a fraction of a million single
    // inserts into it: the plain indexes are dropped and rebuilt from their own definitions, in
    // this transaction, so no other session sees the table without them. Constraint indexes
    // (primary key, unique keys that foreign keys use) stay.
    const indexes = await sql<{ name: string; definition: string }>`
      SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = 'time_entries'::regclass
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`.execute(trx);
    for (const index of indexes.rows) await sql`DROP INDEX ${sql.id(index.name)}`.execute(trx);
    // The rows reference members and projects made above, so checking a million foreign keys
    // proves nothing; a superuser (the embedded cluster's) may skip those triggers.
    const superuser = await sql<{ on: string }>`SELECT current_setting('is_superuser') AS on`.execute(trx);
    if (superuser.rows[0]?.on === "on") await sql`SET LOCAL session_replication_role = replica`.execute(trx);
    await sql`
      INSERT INTO time_entries (id, organization_id, user_id, project_id, start_at, end_at, billable, billable_rate,
        created_at, updated_at)
      SELECT ${sqlId("timeEntry", sql`g.millis`)}, ${orgId},
        (${userIds}::text[])[1 + g.n % ${options.users}],
        CASE WHEN g.n % 11 = 0 THEN NULL ELSE (${projectIds}::text[])[1 + (g.n / 3) % ${options.projects}] END,
        ${start}, ${start} + make_interval(mins => 15 + (g.n % 8) * 15),
        g.n % 5 <> 0, 8000 + (g.n % 4) * 1500, ${start}, ${start}
      FROM (
        SELECT n, start_at, ${epochMillis(sql`start_at`)} AS millis FROM (
          SELECT n, ${begin}::timestamptz + make_interval(secs => (n::double precision * ${spanSeconds} / ${options.count})) AS start_at
          FROM generate_series(0, ${options.count - 1}) n
        ) s
        -- OFFSET 0 keeps PostgreSQL from inlining millis into each of the id's ten characters.
        OFFSET 0
      ) g
      ORDER BY g.n`.execute(trx);
    if (process.env.BENCH_DEBUG)
      process.stderr.write(`  rows inserted after ${(Date.now() - started) / 1000} s\n`);
    if (superuser.rows[0]?.on === "on") await sql`SET LOCAL session_replication_role = origin`.execute(trx);
    // The replica role skipped every trigger, time_entry_counts' too: count afresh, into one
    // stripe per user (migrations 0012 and 0013).
    await sql`DELETE FROM time_entry_counts WHERE organization_id = ${orgId}`.execute(trx);
    await sql`
      INSERT INTO time_entry_counts (organization_id, user_id, slot, entries)
      SELECT organization_id, user_id, 0, count(*) FROM time_entries WHERE organization_id = ${orgId}
      GROUP BY organization_id, user_id`.execute(trx);
    // Enough memory for each rebuild to sort in RAM instead of on disk.
    await sql`SET LOCAL maintenance_work_mem = '256MB'`.execute(trx);
    for (const index of indexes.rows) await sql.raw(index.definition).execute(trx);
  });
  const inserted = Date.now();
  await sql`VACUUM ANALYZE time_entries`.execute(db);
  return {
    insertSeconds: (inserted - started) / 1000,
    vacuumSeconds: (Date.now() - inserted) / 1000,
    begin,
    end,
  };
}
