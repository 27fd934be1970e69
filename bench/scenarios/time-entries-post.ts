import { newId } from "../../src/platform/ids.js";
import { registerWithKey } from "../bulk-entries.js";
import { alternate, type Bench, compare, measure, type Row } from "../harness.js";

const START = "2024-01-01T09:00:00Z";

/**
 * A write as a client makes it: POST /v1/time-entries validates, applies the organization's
 * rules and rates, and writes the entry, its event, outbox rows and audit entry in one
 * transaction. The floor is a bare route inserting the same row, and nothing else. Goal >= 0.5.
 */
export async function run(bench: Bench): Promise<Row> {
  const { orgId, secret } = await registerWithKey(bench.realUrl, ["write:time-entries", "read"]);
  const me = await fetch(`${bench.realUrl}/v1/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
  const { data: user } = (await me.json()) as { data: { id: string } };
  const db = bench.database.db;
  const floorUrl = await bench.startFloor((app) => {
    app.post("/v1/time-entries", async (_request, reply) => {
      const start = new Date(START);
      const row = await db
        .insertInto("time_entries")
        .values({
          id: newId("timeEntry"),
          organization_id: orgId,
          user_id: user.id,
          project_id: null,
          task_id: null,
          description: "bench",
          start_at: start,
          end_at: new Date(start.getTime() + 60_000),
          billable: true,
          hourly_rate: null,
          billable_rate: 0,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return reply.code(201).send({ data: row });
    });
  });
  const post = {
    method: "POST" as const,
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: JSON.stringify({ start: START, duration: 60, description: "bench" }),
  };
  const { real, floor } = await alternate(
    () => measure(`${bench.realUrl}/v1/time-entries`, post),
    () => measure(`${floorUrl}/v1/time-entries`, post),
  );
  return compare("POST /v1/time-entries vs inserting the row", real, floor, 0.5);
}
