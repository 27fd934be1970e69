import { parseGroupBy } from "../../src/features/reports/dimensions.js";
import { parseBound } from "../../src/features/reports/period.js";
import { createReportStore } from "../../src/features/reports/store.js";
import { systemOrgContext } from "../../src/platform/tenancy.js";
import { bigOrganization } from "../bulk-entries.js";
import { alternate, type Bench, compareLatency, measure, type Row } from "../harness.js";

// One caller: the goal is the time a person waits for the report, not a queue of 50 of them.
const CONNECTIONS = 1;

/**
 * An organization-month summary by project over a million entries (a year of them, so about
 * 83,000 in the month). The floor runs the same two SQL statements through the same store, with
 * no auth, validation, envelope or response schema.
 */
export async function run(bench: Bench): Promise<Row> {
  const { orgId, secret, entries, begin } = await bigOrganization(bench);
  const db = bench.database.db;
  await db
    .updateTable("organization_settings")
    .set({ timezone: "Europe/Berlin", currency: "EUR" })
    .where("organization_id", "=", orgId)
    .execute();
  // A month in the middle of the generated year, as dates in the organization's timezone.
  const month = new Date(begin);
  month.setUTCMonth(month.getUTCMonth() + 6);
  const next = new Date(month);
  next.setUTCMonth(next.getUTCMonth() + 1);
  const query = `from=${month.toISOString().slice(0, 10)}&to=${next.toISOString().slice(0, 10)}&group_by=project`;

  const store = createReportStore(db);
  const ctx = systemOrgContext(orgId);
  const floorUrl = await bench.startFloor((app) => {
    app.get("/v1/reports/summary", async (request) => {
      const q = request.query as { from: string; to: string; group_by: string };
      const { settings, period } = await store.periodAndSettings(
        ctx,
        parseBound("from", q.from),
        parseBound("to", q.to),
      );
      const rows = await store.summary(ctx, {
        period,
        filter: {},
        groupBy: parseGroupBy(q.group_by),
        settings,
      });
      return { data: rows };
    });
  });

  const headers = { authorization: `Bearer ${secret}` };
  const check = await fetch(`${bench.realUrl}/v1/reports/summary?${query}`, { headers });
  if (!check.ok) throw new Error(`summary answered ${check.status}: ${await check.text()}`);
  const { data } = (await check.json()) as { data: { totals: { entries: number }; groups: unknown[] } };
  process.stderr.write(`  the month holds ${data.totals.entries} entries in ${data.groups.length} groups\n`);

  const { real, floor } = await alternate(
    () => measure(`${bench.realUrl}/v1/reports/summary?${query}`, { headers }, { connections: CONNECTIONS }),
    () => measure(`${floorUrl}/v1/reports/summary?${query}`, {}, { connections: CONNECTIONS }),
  );
  const size = entries.toLocaleString("en-US");
  return compareLatency(
    `GET /v1/reports/summary (${size} entries, month by project, 1 conn)`,
    real,
    floor,
    100,
  );
}
