import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { memberWithToken } from "../../../test/helpers/members.js";
import { ManualClock } from "../../platform/background/clock.js";
import { CLIENTS, PROJECTS } from "./demo-catalog.js";
import { createSandboxService, RESET_INTERVAL_MS } from "./service.js";

const DAY_MS = 86_400_000;
// Background work is off in the main app: the daily reset runs in the processes a test starts.
const clock = new ManualClock();
let t: TestApp;
let owner: Account;
let testKey: string;
let twinId: string;

beforeAll(async () => {
  t = await createTestApp({ VOLTASIS_WORKERS: "off", VOLTASIS_WEBHOOKS_ALLOW_PRIVATE: "true" }, { clock });
  owner = await registerAccount(t.app, { organization_name: "Reset Co" });
  testKey = (await createKey(t.app, owner.accessToken, { scopes: ["admin"], mode: "test" })).secret;
  twinId = (await call(t.app, testKey, { method: "GET", url: "/v1/sandbox" })).json().data.organization_id;
});
afterAll(() => t.close());

const api = (token: string, method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: object) =>
  call(t.app, token, { method, url, payload });
const names = async (token: string, url: string) =>
  (await api(token, "GET", `${url}?per_page=100`))
    .json()
    .data.map((r: { name: string }) => r.name) as string[];
// The audit log outlives resets (events do not: a reset starts the sandbox's history afresh).
const resets = async () =>
  t.db
    .selectFrom("logs")
    .select("id")
    .where("organization_id", "=", twinId)
    .where("action", "=", "sandbox.reset")
    .execute();

let scribbles = 0;
/** Changes the sandbox in ways a reset undoes: a new project, a renamed client, a setting. */
async function scribble() {
  scribbles += 1;
  const project = await api(testKey, "POST", "/v1/projects", { name: `Scratch project ${scribbles}` });
  expect(project.statusCode, project.body).toBe(201);
  const client = (await api(testKey, "GET", "/v1/clients?per_page=1")).json().data[0];
  const renamed = await api(testKey, "PATCH", `/v1/clients/${client.id}`, {
    name: `Scratch client ${scribbles}`,
  });
  expect(renamed.statusCode, renamed.body).toBe(200);
  expect((await api(testKey, "PATCH", "/v1/settings", { timezone: "Asia/Tokyo" })).statusCode).toBe(200);
}
const scratched = async () =>
  [...(await names(testKey, "/v1/projects")), ...(await names(testKey, "/v1/clients"))].filter((n) =>
    n.startsWith("Scratch"),
  );

describe("POST /v1/sandbox/reset", () => {
  it("deletes the sandbox's changes and restores the demo data; webhooks, members and live data stay", async () => {
    const live = await api(owner.accessToken, "POST", "/v1/projects", { name: "Live project" });
    const hook = await api(testKey, "POST", "/v1/webhooks", {
      url: "https://93.184.215.14/hook",
      events: ["*"],
    });
    expect(hook.statusCode).toBe(201);
    await scribble();
    const before = (await api(testKey, "GET", "/v1/sandbox")).json().data;

    // Seconds pass between the twin's creation and its reset, so that reset_at must move.
    clock.advance(5_000);
    const res = await api(owner.accessToken, "POST", "/v1/sandbox/reset");
    expect(res.statusCode, res.body).toBe(200);
    const after = res.json().data;
    expect(after).toMatchObject({ organization_id: twinId, live_organization_id: owner.orgId, mode: "test" });
    expect(Date.parse(after.reset_at)).toBeGreaterThan(Date.parse(before.reset_at));
    expect((await api(testKey, "GET", "/v1/sandbox")).json().data.reset_at).toBe(after.reset_at);

    const projects = await names(testKey, "/v1/projects");
    expect(projects.sort()).toEqual(PROJECTS.map((p) => p.name).sort());
    expect((await names(testKey, "/v1/clients")).sort()).toEqual(CLIENTS.map((c) => c.name).sort());
    expect((await api(testKey, "GET", "/v1/settings")).json().data.timezone).toBe("Europe/Berlin");
    expect((await api(testKey, "GET", "/v1/time-entries")).json().pagination.total).toBeGreaterThan(8_500);
    const hooks = (await api(testKey, "GET", "/v1/webhooks")).json().data;
    expect(hooks.map((h: { id: string }) => h.id)).toEqual([hook.json().data.id]);
    // The sandbox's history starts again with the reset itself, which its webhooks receive.
    const events = (await api(testKey, "GET", "/v1/events")).json().data;
    expect(events.map((e: { event: string }) => e.event)).toEqual(["sandbox.reset"]);
    // Deliveries still pending are kept (at least once): with no worker here, all of them are.
    const deliveries = (await api(testKey, "GET", `/v1/webhooks/${hook.json().data.id}/deliveries`)).json()
      .data;
    expect(deliveries[0].event).toBe("sandbox.reset");
    expect(deliveries.map((d: { event: string }) => d.event)).toContain("project.created");
    // The audit log says who reset it; the live organization's data never moved.
    const audit = (await api(testKey, "GET", "/v1/logs?kind=audit&action=sandbox.reset")).json().data;
    expect(audit).toEqual([expect.objectContaining({ user_id: owner.userId, resource_id: twinId })]);
    expect(await names(owner.accessToken, "/v1/projects")).toEqual(["Live project"]);
    expect(live.statusCode).toBe(201);
  });

  it("works from test mode too, and needs write:settings: members, managers and narrow keys are refused", async () => {
    await scribble();
    const narrow = await createKey(t.app, owner.accessToken, { scopes: ["read", "write"], mode: "test" });
    const refused = [await api(narrow.secret, "POST", "/v1/sandbox/reset")];
    for (const role of ["member", "manager"] as const) {
      const person = await memberWithToken(t.app, owner.accessToken, role);
      refused.push(await api(person.accessToken, "POST", "/v1/sandbox/reset"));
      refused.push(
        await call(t.app, person.accessToken, {
          method: "POST",
          url: "/v1/sandbox/reset",
          headers: { "x-organization-id": twinId },
        }),
      );
    }
    for (const res of refused) {
      expect(expectError(res, 403, "FORBIDDEN").details).toMatchObject({ required_scope: "write:settings" });
    }
    expect(await scratched()).toHaveLength(2);

    // The previous test reset a moment ago: a reset runs at most once a minute per sandbox.
    const tooSoon = await api(testKey, "POST", "/v1/sandbox/reset");
    const error = expectError(tooSoon, 429, "RATE_LIMIT_EXCEEDED");
    expect(error.details).toMatchObject({ reason: "reset_too_soon" });
    expect(Number(tooSoon.headers["retry-after"])).toBe(error.details?.retry_after);
    expect(await scratched()).toHaveLength(2);
    clock.advance(RESET_INTERVAL_MS);
    const res = await api(testKey, "POST", "/v1/sandbox/reset");
    expect(res.statusCode, res.body).toBe(200);
    expect(await scratched()).toEqual([]);
  });

  it("another organization cannot reset this one's sandbox, nor reach it", async () => {
    const stranger = await registerAccount(t.app);
    await scribble();
    const own = await api(stranger.accessToken, "POST", "/v1/sandbox/reset");
    expect(own.json().data.organization_id).not.toBe(twinId);
    expect(await scratched()).toHaveLength(2);
    const crossing = await call(t.app, stranger.accessToken, {
      method: "POST",
      url: "/v1/sandbox/reset",
      headers: { "x-organization-id": twinId },
    });
    expect(expectError(crossing, 403, "FORBIDDEN").details?.reason).toBe("organization_not_allowed");
    expect(await scratched()).toHaveLength(2);
  });
});

describe("the daily reset at 00:00 UTC", () => {
  it("is not due before midnight, and is due once after it", async () => {
    const service = createSandboxService({ db: t.db, clock });
    // Everything of the previous tests was reset before the clock reached the next midnight.
    const sinceMidnight = clock.now().getTime() % DAY_MS;
    while (await service.resetOneDue()) {
      // Twins of other tests' organizations, due since the clock moved in an earlier test.
    }
    clock.advance(DAY_MS - sinceMidnight - 60_000);
    expect(await service.resetOneDue()).toBe(false);
    clock.advance(61_000);
    expect(await service.resetOneDue()).toBe(true);
  });

  it("runs once across two processes: each twin is reset by one of them", async () => {
    await scribble();
    const before = (await resets()).length;
    clock.advance(DAY_MS);
    const midnight = Math.floor(clock.now().getTime() / DAY_MS) * DAY_MS;
    // Two processes with background work on: both look for due twins as they start.
    await Promise.all([
      t.anotherProcess({ VOLTASIS_WORKERS: "on" }),
      t.anotherProcess({ VOLTASIS_WORKERS: "on" }),
    ]);
    await vi.waitFor(
      async () => {
        const row = await t.db
          .selectFrom("organizations")
          .select("sandbox_reset_at")
          .where("id", "=", twinId)
          .executeTakeFirstOrThrow();
        expect(row.sandbox_reset_at?.getTime()).toBeGreaterThanOrEqual(midnight);
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(await scratched()).toEqual([]);
    // Nothing is left due: however often either process looks again today, it resets nothing.
    const service = createSandboxService({ db: t.db, clock });
    expect(await service.resetOneDue()).toBe(false);
    const twins = await t.db
      .selectFrom("organizations")
      .select("id")
      .where("sandbox_of", "is not", null)
      .where("sandbox_reset_at", "<", new Date(midnight))
      .execute();
    expect(twins).toEqual([]);
    expect((await resets()).length).toBe(before + 1);
  });
});
