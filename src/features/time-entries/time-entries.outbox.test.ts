import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { insertWebhook } from "../../../test/helpers/webhook-rows.js";
import { at, timeFixtures } from "./test-fixtures.js";

/**
 * A create writes the entry, its tags, its events and their deliveries in one statement when it
 * can (create-at-once.ts): all of it or none of it, and the same entry as the checked path.
 */
let t: TestApp;
let fx: ReturnType<typeof timeFixtures>;
beforeAll(async () => {
  // No workers: the queued deliveries must stay as the create left them.
  t = await createTestApp({ VOLTASIS_WORKERS: "off" });
  fx = timeFixtures(t.app, t.db);
});
afterAll(() => t.close());

const subscribe = (account: Account, events: string[]) => insertWebhook(t.db, account.orgId, events);

/** Everything an organization's writes left in the outbox. */
async function outbox(account: Account) {
  const [events, deliveries, audit] = await Promise.all([
    t.db
      .selectFrom("events")
      .select(["id", "name", "resource_id", "actor_id", "data"])
      .where("organization_id", "=", account.orgId)
      .where("resource_type", "=", "time_entry")
      .orderBy("id")
      .execute(),
    t.db
      .selectFrom("webhook_deliveries")
      .select(["id", "webhook_id", "event_id", "event_name", "payload", "status"])
      .where("organization_id", "=", account.orgId)
      .execute(),
    t.db
      .selectFrom("logs")
      .select("id")
      .where("organization_id", "=", account.orgId)
      .where("kind", "=", "audit")
      .where("resource_type", "=", "time_entry")
      .execute(),
  ]);
  return { events, deliveries, audit };
}

const post = (account: Account, payload: Record<string, unknown>) =>
  call(t.app, account.accessToken, { method: "POST", url: "/v1/time-entries", payload });

describe("creating a time entry: the entry and its outbox in one write", () => {
  it("writes the events and one delivery per subscribed webhook; the response is what GET returns", async () => {
    const owner = await registerAccount(t.app);
    const everything = await subscribe(owner, ["*"]);
    const timers = await subscribe(owner, ["timer.*"]);
    await subscribe(owner, ["project.created"]);
    const projectId = await fx.project(owner.orgId, { hourly_rate: 9_000 });
    const tags = [await fx.tag(owner.orgId), await fx.tag(owner.orgId), await fx.tag(owner.orgId)];

    const res = await post(owner, {
      start: at(1),
      project_id: projectId,
      tag_ids: [tags[2], tags[0], tags[1]],
    });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json().data;
    expect(created).toMatchObject({ running: true, tag_ids: [...tags].sort(), billable_rate: 9_000 });
    const read = await call(t.app, owner.accessToken, {
      method: "GET",
      url: `/v1/time-entries/${created.id}`,
    });
    // A running timer's duration and amount grow with the clock; everything else is as stored.
    const still = (entry: Record<string, unknown>) => ({ ...entry, duration: 0, billable_amount: 0 });
    expect(still(read.json().data)).toEqual(still(created));
    expect(Object.keys(read.json().data)).toEqual(Object.keys(created));

    const { events, deliveries, audit } = await outbox(owner);
    expect(events.map((e) => e.name)).toEqual(["time_entry.created", "timer.started"]);
    for (const event of events) {
      expect(event).toMatchObject({ resource_id: created.id, actor_id: owner.userId, data: created });
    }
    const [createdEvent, startedEvent] = events as [(typeof events)[0], (typeof events)[0]];
    const byEvent = (id: string) =>
      deliveries
        .filter((d) => d.event_id === id)
        .map((d) => d.webhook_id)
        .sort();
    expect(byEvent(createdEvent.id)).toEqual([everything]);
    expect(byEvent(startedEvent.id)).toEqual([everything, timers].sort());
    for (const delivery of deliveries) {
      expect(delivery.status).toBe("pending");
      expect(JSON.parse(delivery.payload)).toMatchObject({ event: delivery.event_name, data: created });
    }
    // Time entries are not audited (events.ts AUDITED_RESOURCES): their events are the record.
    expect(audit).toEqual([]);
  });

  it("queues every delivery for an organization with more than four subscribed webhooks", async () => {
    const owner = await registerAccount(t.app);
    const hooks = await Promise.all(Array.from({ length: 6 }, () => subscribe(owner, ["time_entry.*"])));
    const entry = await fx.entry(owner.accessToken, { start: at(2), end: at(3) });

    const { events, deliveries } = await outbox(owner);
    expect(events.map((e) => e.name)).toEqual(["time_entry.created"]);
    expect(deliveries.map((d) => d.webhook_id).sort()).toEqual(hooks.sort());
    expect(new Set(deliveries.map((d) => d.id)).size).toBe(6);
    expect(deliveries.every((d) => d.event_id === events[0]?.id)).toBe(true);
    expect(events[0]?.data).toEqual(entry);
  });

  it("writes no event or delivery when the entry is refused: a second running timer", async () => {
    const owner = await registerAccount(t.app);
    await subscribe(owner, ["*"]);
    await fx.entry(owner.accessToken, { start: at(4) });
    const before = await outbox(owner);

    expect(expectError(await post(owner, { start: at(5) }), 409, "CONFLICT").details).toMatchObject({
      reason: "timer_running",
    });
    expect(await outbox(owner)).toEqual(before);
  });

  it("writes no event or delivery when a reference goes away between the reads and the write", async () => {
    const owner = await registerAccount(t.app);
    await subscribe(owner, ["*"]);
    const projectId = await fx.project(owner.orgId);
    // A concurrent delete, arranged in the database: the project goes just before the entry is written.
    await sql`
      CREATE FUNCTION test_vanish() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF NEW.description = 'vanishing project' THEN DELETE FROM projects WHERE id = NEW.project_id; END IF;
        RETURN NEW; END $$;
      CREATE TRIGGER test_vanish BEFORE INSERT ON time_entries FOR EACH ROW EXECUTE FUNCTION test_vanish();
    `.execute(t.db);
    try {
      const res = await post(owner, {
        start: at(6),
        end: at(7),
        project_id: projectId,
        description: "vanishing project",
      });
      expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({
        field: "project_id",
        reason: "not_found",
      });
      expect(await outbox(owner)).toEqual({ events: [], deliveries: [], audit: [] });
    } finally {
      await sql`DROP TRIGGER test_vanish ON time_entries; DROP FUNCTION test_vanish();`.execute(t.db);
    }
  });

  it("with prevent_overlaps, takes the checked path: an overlap is refused and leaves no event", async () => {
    const owner = await registerAccount(t.app);
    await subscribe(owner, ["*"]);
    await fx.settings(owner.accessToken, { prevent_overlaps: true });
    const first = await fx.entry(owner.accessToken, { start: at(8), end: at(10) });
    const before = await outbox(owner);
    expect(before.events).toHaveLength(1);
    expect(before.events[0]?.data).toEqual(first);

    expectError(await post(owner, { start: at(9), end: at(11) }), 409, "CONFLICT");
    expect(await outbox(owner)).toEqual(before);
  });
});
