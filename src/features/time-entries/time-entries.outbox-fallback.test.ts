import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { registerAccount } from "../../../test/helpers/fixtures.js";
import { insertWebhook } from "../../../test/helpers/webhook-rows.js";
import { at, timeFixtures } from "./test-fixtures.js";

// Webhooks created between a create's reads and its write, beyond the delivery ids made ahead:
// here every webhook is one, since the count read before the write says there are none.
vi.mock("../../platform/events.js", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../platform/events.js")>()),
  enabledWebhookCount: () => sql<number>`0`,
}));

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ VOLTASIS_WORKERS: "off" });
});
afterAll(() => t.close());

describe("creating a time entry when more webhooks are subscribed than were counted", () => {
  it("drops no delivery: the one-statement write fails whole and the checked path writes it all", async () => {
    const owner = await registerAccount(t.app);
    const hooks: string[] = [];
    for (let i = 0; i < 5; i++) hooks.push(await insertWebhook(t.db, owner.orgId, ["*"]));
    const entry = await timeFixtures(t.app, t.db).entry(owner.accessToken, { start: at(1) });

    const entries = await t.db
      .selectFrom("time_entries")
      .select("id")
      .where("organization_id", "=", owner.orgId)
      .execute();
    expect(entries).toEqual([{ id: entry.id }]);
    const events = await t.db
      .selectFrom("events")
      .select(["id", "name", "data"])
      .where("organization_id", "=", owner.orgId)
      .where("resource_type", "=", "time_entry")
      .orderBy("id")
      .execute();
    expect(events.map((e) => [e.name, e.data])).toEqual([
      ["time_entry.created", entry],
      ["timer.started", entry],
    ]);
    for (const event of events) {
      const deliveries = await t.db
        .selectFrom("webhook_deliveries")
        .select("webhook_id")
        .where("event_id", "=", event.id)
        .execute();
      expect(deliveries.map((d) => d.webhook_id).sort()).toEqual([...hooks].sort());
    }
  });
});
