import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, registerAccount } from "../../../test/helpers/fixtures.js";
import { memberWithToken } from "../../../test/helpers/members.js";
import { newId } from "../../platform/ids.js";
import { canSeeEvent, eventVisibility, visibleEvents } from "./visibility.js";

/**
 * One rule in two forms: `visibleEvents` (SQL, for GET /v1/events and a stream's replay) and
 * `canSeeEvent` (in memory, for live events). For every kind of credential, over events of every
 * resource type and every shape of owner field, both must keep exactly the same events.
 */
let t: TestApp;
let owner: Account;
const credentials: Record<string, string> = {};
const userIds: Record<string, string> = {};

const TYPES = [
  "client",
  "project",
  "task",
  "tag",
  "time_entry",
  "settings",
  "organization",
  "member",
  "invitation",
  "api_key",
  "webhook",
  "job",
  "something_new",
];

beforeAll(async () => {
  t = await createTestApp({ VOLTASIS_WORKERS: "off" });
  owner = await registerAccount(t.app);
  credentials.owner = owner.accessToken;
  userIds.owner = owner.userId;
  for (const role of ["admin", "manager", "member"]) {
    const added = await memberWithToken(t.app, owner.accessToken, role);
    credentials[role] = added.accessToken;
    userIds[role] = added.id;
  }
  credentials["owner's read key"] = (await createKey(t.app, owner.accessToken, { scopes: ["read"] })).secret;
  credentials["owner's events-only key"] = (
    await createKey(t.app, owner.accessToken, { scopes: ["read:events"] })
  ).secret;
  credentials["manager's key"] = (
    await createKey(t.app, credentials.manager as string, {
      scopes: ["read:events", "read:time-entries", "read:api-keys", "read:jobs"],
    })
  ).secret;
  credentials["member's key"] = (
    await createKey(t.app, credentials.member as string, { scopes: ["read:time-entries", "read:jobs"] })
  ).secret;

  // Besides the events the arranging wrote: each type with data owned by each person, by nobody,
  // by a number, and data that is no object at all.
  const owners = [...Object.values(userIds), null, 42];
  const shapes = (field: string) => [
    ...owners.map((who) => ({ id: "x", [field]: who })),
    [],
    "text",
    { id: "no owner field" },
  ];
  const rows = TYPES.flatMap((type) =>
    shapes(type === "time_entry" ? "user_id" : "created_by").map((data) => ({
      id: newId("event"),
      organization_id: owner.orgId,
      name: `${type}.updated`,
      resource_type: type,
      resource_id: "x",
      actor_id: null,
      // As recordEvent writes it: postgres.js would encode a string bound to jsonb once more.
      data: sql<string>`${JSON.stringify(data)}::text::jsonb`,
      created_at: new Date(),
    })),
  );
  await t.db.insertInto("events").values(rows).execute();
});
afterAll(() => t.close());

describe("event visibility: the SQL rule and its in-memory twin agree", () => {
  it.each([
    "owner",
    "admin",
    "manager",
    "member",
    "owner's read key",
    "owner's events-only key",
    "manager's key",
    "member's key",
  ])("for the %s", async (name) => {
    const principal = await t.app.authenticator.authenticate(`Bearer ${credentials[name]}`);
    const visibility = eventVisibility(principal);
    const all = await t.db
      .selectFrom("events as e")
      .select(["e.id", "e.resource_type", "e.data"])
      .where("e.organization_id", "=", owner.orgId)
      .orderBy("e.id")
      .execute();
    const bySql = await t.db
      .selectFrom("events as e")
      .select("e.id")
      .where("e.organization_id", "=", owner.orgId)
      .where(visibleEvents(visibility))
      .orderBy("e.id")
      .execute();
    const inMemory = all.filter((event) => canSeeEvent(visibility, event)).map((event) => event.id);
    expect(inMemory).toEqual(bySql.map((row) => row.id));
    // Neither form is trivially all or nothing for these credentials…
    expect(inMemory.length).toBeLessThan(all.length);
    // (an events-only key reads no resource, so it sees no event: the empty OR is false)
    if (name !== "owner's events-only key") expect(inMemory.length).toBeGreaterThan(0);
    // …and where the credential may list events, the list is the same set.
    if (principal.allowed.has("read:events")) {
      const listed = await call(t.app, credentials[name] as string, {
        method: "GET",
        url: "/v1/events?per_page=100&order=asc",
      });
      expect(listed.json().pagination.total).toBe(inMemory.length);
    }
  });
});
