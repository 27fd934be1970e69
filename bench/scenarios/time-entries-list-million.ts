import { sql } from "kysely";
import { bigOrganization } from "../bulk-entries.js";
import { alternate, type Bench, compareLatency, measure, type Row } from "../harness.js";
import { pageQuery } from "./time-entries-list.js";

const PAGE = 50;

/**
 * The first 50-row page of an organization with a million entries, with its exact
 * `pagination.total`, at one connection (goal p50 < 20 ms). The floor runs the page query alone.
 */
export async function run(bench: Bench): Promise<Row> {
  const { orgId, secret, entries } = await bigOrganization(bench);
  const db = bench.database.db;
  const headers = { authorization: `Bearer ${secret}` };
  const url = `${bench.realUrl}/v1/time-entries?per_page=${PAGE}`;
  const check = await fetch(url, { headers });
  if (!check.ok) throw new Error(`${url}: ${check.status} ${await check.text()}`);
  const { pagination } = (await check.json()) as { pagination: { total: number } };
  const counted = await sql<{
    n: string;
  }>`SELECT count(*) AS n FROM time_entries WHERE organization_id = ${orgId}`.execute(db);
  if (pagination.total !== Number(counted.rows[0]?.n)) {
    throw new Error(
      `pagination.total ${pagination.total} is not the organization's ${counted.rows[0]?.n} entries`,
    );
  }
  const floorUrl = await bench.startFloor((app) => {
    app.get("/v1/time-entries", async () => ({ data: await pageQuery(db, orgId, PAGE) }));
  });
  const one = { connections: 1 };
  const { real, floor } = await alternate(
    () => measure(url, { headers }, one),
    () => measure(`${floorUrl}/v1/time-entries`, {}, one),
  );
  const size = entries.toLocaleString("en-US");
  return compareLatency(`GET /v1/time-entries?per_page=50 (${size} entries, 1 conn)`, real, floor, 20);
}
