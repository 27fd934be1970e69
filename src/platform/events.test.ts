import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/helpers/app.js";
import { type Account, registerAccount } from "../../test/helpers/fixtures.js";
import { insertWebhook } from "../../test/helpers/webhook-rows.js";
import { recordEvent } from "./events.js";
import { systemOrgContext } from "./tenancy.js";

/** The outbox: what one recorded event leaves behind for webhooks and the audit log. */
describe("recordEvent", () => {
  let t: TestApp;
  let owner: Account;
  let other: Account;

  beforeAll(async () => {
    // No workers: the queued rows must stay as recordEvent left them.
    t = await createTestApp({ VOLTASIS_WORKERS: "off" });
    owner = await registerAccount(t.app);
    other = await registerAccount(t.app);
  });

  afterAll(() => t?.close());

  const subscribe = (account: Account, events: string[], enabled = true) =>
    insertWebhook(t.db, account.orgId, events, enabled);

  const record = (account: Account, name: string, resourceType = name.split(".")[0] as string) =>
    t.db.transaction().execute((trx) =>
      recordEvent(trx, systemOrgContext(account.orgId), {
        name,
        resourceType,
        resourceId: "prj_x",
        actorId: account.userId,
        data: { id: "prj_x", name: "Apollo" },
      }),
    );

  const deliveriesOf = (eventId: string) =>
    t.db.selectFrom("webhook_deliveries").selectAll().where("event_id", "=", eventId).execute();

  it("queues one delivery per enabled webhook subscribed by name, wildcard or *", async () => {
    const byName = await subscribe(owner, ["project.created"]);
    const byWildcard = await subscribe(owner, ["project.*"]);
    const everything = await subscribe(owner, ["*"]);
    await subscribe(owner, ["task.*", "project.deleted"]);
    await subscribe(owner, ["project.created"], false);
    await subscribe(other, ["*"]);

    const eventId = await record(owner, "project.created");
    const deliveries = await deliveriesOf(eventId);
    expect(deliveries.map((d) => d.webhook_id).sort()).toEqual([byName, byWildcard, everything].sort());
    for (const delivery of deliveries) {
      expect(delivery).toMatchObject({ organization_id: owner.orgId, status: "pending", attempts: 0 });
      expect(JSON.parse(delivery.payload)).toEqual({
        id: eventId,
        event: "project.created",
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        organization_id: owner.orgId,
        data: { id: "prj_x", name: "Apollo" },
      });
    }
  });

  it("queues one delivery to each of many subscribed webhooks, each with its own id", async () => {
    // More than the statement that records the event queues itself: the rest go in a second one.
    const many = await registerAccount(t.app);
    const webhooks: string[] = [];
    for (let i = 0; i < 11; i++) webhooks.push(await subscribe(many, [i % 2 ? "*" : "client.created"]));
    await subscribe(many, ["client.created"], false);
    const eventId = await record(many, "client.created");
    const deliveries = await deliveriesOf(eventId);
    expect(deliveries.map((d) => d.webhook_id).sort()).toEqual(webhooks.sort());
    expect(new Set(deliveries.map((d) => d.id)).size).toBe(webhooks.length);
    for (const delivery of deliveries) expect(delivery.id).toMatch(/^dlv_[0-9A-Z]{26}$/);
  });

  it("writes nothing when the change's transaction rolls back", async () => {
    await subscribe(owner, ["tag.*"]);
    let eventId = "";
    await expect(
      t.db.transaction().execute(async (trx) => {
        eventId = await recordEvent(trx, systemOrgContext(owner.orgId), {
          name: "tag.created",
          resourceType: "tag",
          resourceId: "tag_x",
          actorId: owner.userId,
          data: {},
        });
        throw new Error("the change failed after its event");
      }),
    ).rejects.toThrow("the change failed");
    expect(await deliveriesOf(eventId)).toEqual([]);
    expect(await t.db.selectFrom("events").select("id").where("id", "=", eventId).execute()).toEqual([]);
  });

  it("adds an audit log entry for access changes only", async () => {
    const keyEvent = await record(owner, "api_key.created");
    const projectEvent = await record(owner, "project.updated");
    const audit = await t.db.selectFrom("logs").selectAll().where("kind", "=", "audit").execute();
    expect(audit.map((row) => row.event_id)).toContain(keyEvent);
    expect(audit.map((row) => row.event_id)).not.toContain(projectEvent);
    expect(audit.find((row) => row.event_id === keyEvent)).toMatchObject({
      organization_id: owner.orgId,
      user_id: owner.userId,
      action: "api_key.created",
      resource_type: "api_key",
    });
  });
});
