import { sql } from "kysely";
import type { Db } from "../../src/platform/db/connection.js";
import { newId } from "../../src/platform/ids.js";

/**
 * A webhook row written straight into the database, subscribed to `events`: for tests of what an
 * event queues, where the API's own checks (a reachable URL, the SSRF guard) are beside the point.
 */
export async function insertWebhook(db: Db, orgId: string, events: string[], enabled = true) {
  const id = newId("webhook");
  await db
    .insertInto("webhooks")
    .values({
      id,
      organization_id: orgId,
      url: "https://hooks.example.com/voltasis",
      events,
      enabled,
      secret: "whsec_dGVzdA==",
      created_at: new Date(),
      updated_at: new Date(),
    })
    .execute();
  return id;
}

/**
 * Sequential scans of webhook_deliveries so far in the transaction `trx` is in
 * (pg_stat_xact_user_tables counts per transaction): 0 when the queue was read through indexes.
 */
export async function deliverySeqScans(trx: Db): Promise<number | undefined> {
  const { rows } = await sql<{ n: number }>`
    SELECT seq_scan::int AS n FROM pg_stat_xact_user_tables WHERE relname = 'webhook_deliveries'`.execute(
    trx,
  );
  return rows[0]?.n;
}
