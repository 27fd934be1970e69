import { sql } from "kysely";
import { seedDemo } from "../../scripts/seed-data.js";
import { loadConfig } from "../../src/platform/config.js";
import type { Db } from "../../src/platform/db/connection.js";
import { alternate, BENCH_ENV, type Bench, compare, measure, type Row, skipped } from "../harness.js";

const SCENARIO = "GET /v1/time-entries?per_page=50 (key)";
const PAGE = 50;
const TAG_IDS = sql<string[]>`array(SELECT tag_id FROM time_entry_tags tt
  WHERE tt.organization_id = te.organization_id AND tt.time_entry_id = te.id ORDER BY tag_id)`;

/**
 * The first page of a year of the demo organization's time (about 10,000 entries, `npm run
 * seed`'s data). The floor is the limit for a 50-row page: a bare route running only the page
 * query with each entry's tags (no total, settings, auth, validation or envelope). The real
 * route also answers `pagination.total`, exactly.
 */
export async function run(bench: Bench): Promise<Row> {
  const db = bench.database.db;
  const demo = await seedDemo(db, loadConfig(BENCH_ENV));
  // Planned on statistics that know the 10,000 new entries, as autovacuum makes them within a
  // minute of `npm run seed`. Without it both sides ran the page as a bitmap scan and a sort (21 ms
  // instead of 1 ms) until autovacuum's ANALYZE landed, mid-run or not: the row then measured that
  // plan and that moment more than the route (0.82 alone, 0.55–0.58 in full runs).
  await sql`ANALYZE time_entries, time_entry_tags`.execute(db);
  const headers = { authorization: `Bearer ${demo.apiKey}` };
  const url = `${bench.realUrl}/v1/time-entries?per_page=${PAGE}`;
  const probe = await fetch(url, { headers });
  if (probe.status === 404) {
    return skipped(SCENARIO, "the route answers 404 (the time-entries feature is not registered yet)");
  }
  if (!probe.ok) throw new Error(`${url}: ${probe.status} ${await probe.text()}`);

  const orgId = demo.organizationId;
  const floorUrl = await bench.startFloor((app) => {
    app.get("/v1/time-entries", async () => {
      return { data: await pageQuery(db, orgId, PAGE) };
    });
  });
  const { real, floor } = await alternate(
    () => measure(url, { headers }),
    () => measure(`${floorUrl}/v1/time-entries?per_page=${PAGE}`),
  );
  return compare(SCENARIO, real, floor, 0.6);
}

/** The route's page query alone: 50 entries with their tags, newest first. */
export function pageQuery(db: Db, orgId: string, limit: number) {
  return db
    .selectFrom("time_entries as te")
    .select([
      "te.id",
      "te.user_id",
      "te.project_id",
      "te.task_id",
      "te.description",
      "te.start_at",
      "te.end_at",
      "te.duration_seconds",
      "te.billable",
      "te.hourly_rate",
      "te.billable_rate",
      "te.created_at",
      "te.updated_at",
      TAG_IDS.as("tag_ids"),
    ])
    .where("te.organization_id", "=", orgId)
    .orderBy("te.start_at", "desc")
    .orderBy("te.id", "desc")
    .limit(limit)
    .execute();
}
