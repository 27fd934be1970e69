import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, registerAccount } from "../../../test/helpers/fixtures.js";
import { ManualClock } from "../../platform/background/clock.js";
import { newId } from "../../platform/ids.js";
import { createRetention, RETENTION_TASK } from "./retention.js";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

let t: TestApp;
let owner: Account;
let keyId = "";
let webhookId = "";
const clock = new ManualClock();
beforeAll(async () => {
  // The app's own retention loop is off: these tests run the job themselves, at chosen times.
  t = await createTestApp({ VOLTASIS_WORKERS: "off" }, { clock });
  owner = await registerAccount(t.app);
  const key = await createKey(t.app, owner.accessToken, { scopes: ["read", "write"] });
  keyId = key.id;
  await call(t.app, key.secret, { method: "POST", url: "/v1/tags", payload: { name: "old" } });
  await t.app.requestLog.flush();
  webhookId = newId("webhook");
  await t.db
    .insertInto("webhooks")
    .values({
      id: webhookId,
      organization_id: owner.orgId,
      url: "https://example.com/hook",
      events: ["*"],
      secret: "whsec_test",
    })
    .execute();
});
afterAll(() => t.close());

/** A delivery in the given state, finished (or not) at `at`, with one attempt. */
async function delivery(status: "pending" | "succeeded" | "failed", at: Date) {
  const id = newId("delivery");
  await t.db
    .insertInto("webhook_deliveries")
    .values({
      id,
      organization_id: owner.orgId,
      webhook_id: webhookId,
      event_id: newId("event"),
      event_name: "tag.created",
      payload: "{}",
      status,
      created_at: at,
      completed_at: status === "pending" ? null : at,
    })
    .execute();
  await t.db
    .insertInto("webhook_attempts")
    .values({
      id: newId("attempt"),
      organization_id: owner.orgId,
      delivery_id: id,
      attempt: 1,
      status_code: 500,
      duration_ms: 10,
      attempted_at: at,
    })
    .execute();
  return id;
}

async function job(status: "running" | "succeeded" | "failed", finishedAt: Date | null) {
  const id = newId("job");
  await t.db
    .insertInto("jobs")
    .values({
      id,
      organization_id: owner.orgId,
      type: "export.time_entries",
      params: sql`'{}'::jsonb`,
      status,
      result_content_type: status === "succeeded" ? "text/csv; charset=utf-8" : null,
      finished_at: finishedAt,
    })
    .execute();
  return id;
}

async function logEntry(at: Date) {
  const id = newId("logEntry");
  await t.db
    .insertInto("logs")
    .values({ id, organization_id: owner.orgId, kind: "request", created_at: at, user_id: owner.userId })
    .execute();
  return id;
}

async function event(at: Date) {
  const id = newId("event");
  await t.db
    .insertInto("events")
    .values({
      id,
      organization_id: owner.orgId,
      name: "tag.created",
      resource_type: "tag",
      resource_id: "tag_x",
      actor_id: null,
      data: sql`'{}'::jsonb`,
      created_at: at,
    })
    .execute();
  return id;
}

const usageDay = (daysAgo: number) =>
  new Date(clock.now().getTime() - daysAgo * DAY_MS).toISOString().slice(0, 10);
async function usage(day: string) {
  await t.db
    .insertInto("api_key_usage_daily")
    .values({ organization_id: owner.orgId, api_key_id: keyId, day, requests: 1, errors: 0 })
    .execute();
}

const ids = async (table: "events" | "logs" | "webhook_deliveries" | "jobs") =>
  (await t.db.selectFrom(table).select("id").where("organization_id", "=", owner.orgId).execute()).map(
    (r) => r.id,
  );

describe("retention", () => {
  it("prunes what is older than 30 days (usage: 400) and keeps what is newer or unfinished", async () => {
    // Written now through the API: an event, request entries, an audit entry.
    const oldEvents = await ids("events");
    const oldLogs = await ids("logs");
    expect(oldEvents.length).toBeGreaterThan(0);
    expect(oldLogs.length).toBeGreaterThan(2);
    const oldDelivery = await delivery("succeeded", clock.now());
    const oldFailed = await delivery("failed", clock.now());
    const pending = await delivery("pending", clock.now());
    const oldJob = await job("succeeded", clock.now());
    const running = await job("running", null);
    const [tooOld, kept] = [usageDay(380), usageDay(300)];
    await usage(tooOld);
    await usage(kept);

    clock.advance(20 * DAY_MS);
    const recent = {
      event: await event(clock.now()),
      log: await logEntry(clock.now()),
      delivery: await delivery("succeeded", clock.now()),
      job: await job("failed", clock.now()),
    };
    clock.advance(11 * DAY_MS);

    const result = await createRetention({ db: t.db, clock }).run();
    expect(result).toMatchObject({ deliveries: 2, jobs: 1, usage: 1 });
    expect(await ids("events")).toEqual([recent.event]);
    expect(await ids("logs")).toEqual([recent.log]);
    expect((await ids("webhook_deliveries")).sort()).toEqual([pending, recent.delivery].sort());
    expect(await ids("jobs")).toEqual(expect.arrayContaining([running, recent.job]));
    expect(await ids("jobs")).not.toContain(oldJob);
    for (const gone of [oldDelivery, oldFailed]) {
      const attempts = await t.db
        .selectFrom("webhook_attempts")
        .select("id")
        .where("delivery_id", "=", gone)
        .execute();
      expect(attempts).toEqual([]);
    }
    const days = await t.db
      .selectFrom("api_key_usage_daily")
      .select(sql<string>`to_char(day, 'YYYY-MM-DD')`.as("day"))
      .where("api_key_id", "=", keyId)
      .execute();
    // Today's row (the key's own requests) and the one 331 days old stay; 411 days is too old.
    expect(days.map((d) => d.day)).toContain(kept);
    expect(days.map((d) => d.day)).not.toContain(tooOld);
  });

  it("runs once an hour across processes: a second run within the hour does nothing", async () => {
    clock.advance(HOUR_MS + 1000);
    const processes = [createRetention({ db: t.db, clock }), createRetention({ db: t.db, clock })];
    const results = await Promise.all(processes.map((p) => p.run()));
    expect(results.filter((r) => r !== null)).toHaveLength(1);

    const old = await logEntry(new Date(clock.now().getTime() - 31 * DAY_MS));
    clock.advance(30 * 60_000);
    expect(await processes[0]?.run()).toBeNull();
    expect(await ids("logs")).toContain(old);
    clock.advance(31 * 60_000);
    expect(await processes[1]?.run()).toMatchObject({ logs: 1 });
    expect(await ids("logs")).not.toContain(old);
  });

  it("deletes a large backlog in bounded batches", async () => {
    const longAgo = new Date(clock.now().getTime() - 40 * DAY_MS);
    for (let i = 0; i < 5; i++) await logEntry(longAgo);
    clock.advance(HOUR_MS + 1000);
    const result = await createRetention({ db: t.db, clock }, { batchRows: 2 }).run();
    expect(result).toMatchObject({ logs: 5 });
  });
});

describe("retention as a background task", () => {
  it("is registered and claims its hourly run when the app starts", async () => {
    const app = await createTestApp({}, { clock: new ManualClock() });
    try {
      await vi.waitFor(
        async () => {
          const row = await app.db
            .selectFrom("scheduled_runs")
            .select("last_run_at")
            .where("name", "=", RETENTION_TASK)
            .executeTakeFirst();
          expect(row?.last_run_at.getTime()).toBeGreaterThan(Date.now() - HOUR_MS);
        },
        { timeout: 10_000, interval: 100 },
      );
    } finally {
      await app.close();
    }
  });
});
