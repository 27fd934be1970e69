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
