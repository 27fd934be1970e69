import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { memberWithToken } from "../../../test/helpers/members.js";

let t: TestApp;
let owner: Account;
let project: { id: string; name: string };
let client: { id: string };
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  client = (
    await call(t.app, owner.accessToken, {
      method: "POST",
      url: "/v1/clients",
      payload: { name: "Acme secret client" },
    })
  ).json().data;
  const res = await call(t.app, owner.accessToken, {
    method: "POST",
    url: "/v1/projects",
    payload: { name: "Acme secret project", client_id: client.id, hourly_rate: 20000 },
  });
  project = res.json().data;
});
afterAll(() => t.close());

const writes = (id: string) =>
  [
    ["POST", "/v1/projects", { name: "New one" }, "write:projects"],
    ["PUT", `/v1/projects/${id}`, { name: "Renamed" }, "write:projects"],
    ["PATCH", `/v1/projects/${id}`, { status: "archived" }, "write:projects"],
    ["DELETE", `/v1/projects/${id}`, undefined, "delete:projects"],
  ] as const;

async function unchanged() {
  const row = await t.db.selectFrom("projects").selectAll().where("id", "=", project.id).executeTakeFirst();
  expect(row).toMatchObject({ name: "Acme secret project", status: "active", client_id: client.id });
}

describe("projects: roles and scopes", () => {
  it("a member reads projects but every write is a 403 insufficient_scope", async () => {
    const member = await memberWithToken(t.app, owner.accessToken, "member");
    const read = await call(t.app, member.accessToken, { method: "GET", url: "/v1/projects" });
    expect(read.json().data).toEqual([project]);
    for (const [method, url, payload, scope] of writes(project.id)) {
      const res = await call(t.app, member.accessToken, { method, url, payload });
      expect(expectError(res, 403, "FORBIDDEN").details).toEqual({
        reason: "insufficient_scope",
        required_scope: scope,
      });
    }
    await unchanged();
  });

  it("a manager's API key creates projects, acting as the manager", async () => {
    const manager = await memberWithToken(t.app, owner.accessToken, "manager");
    const key = await createKey(t.app, manager.accessToken, { scopes: ["write:projects"] });
    const res = await call(t.app, key.secret, {
      method: "POST",
      url: "/v1/projects",
      payload: { name: "By key" },
    });
    expect(res.statusCode).toBe(201);
    const event = await t.db
      .selectFrom("events")
      .selectAll()
      .where("resource_id", "=", res.json().data.id)
      .executeTakeFirstOrThrow();
    expect(event.actor_id).toBe(manager.id);
  });
});

describe("projects: other organizations", () => {
  it("another organization gets 403 on this organization's project and never sees it", async () => {
    const stranger = await registerAccount(t.app);
    for (const [method, url, payload] of [
      ["GET", `/v1/projects/${project.id}`, undefined],
      ...writes(project.id).slice(1),
    ] as const) {
      const res = await call(t.app, stranger.accessToken, { method, url, payload });
      expect(expectError(res, 403, "FORBIDDEN").details).toEqual({ reason: "foreign_organization" });
      expect(res.body).not.toContain("Acme secret");
    }
    const listed = await call(t.app, stranger.accessToken, {
      method: "GET",
      url: `/v1/projects?client_id=${client.id}`,
    });
    expect(listed.json().data).toEqual([]);
    await unchanged();
  });

  it("another organization's client_id in a body is a 400 not_found that reveals nothing", async () => {
    const stranger = await registerAccount(t.app);
    const created = await call(t.app, stranger.accessToken, {
      method: "POST",
      url: "/v1/projects",
      payload: { name: "Borrowed client", client_id: client.id },
    });
    const error = expectError(created, 400, "VALIDATION_ERROR");
    expect(error.details).toEqual({ field: "client_id", reason: "not_found" });
    expect(created.body).not.toContain(client.id);
    const own = (
      await call(t.app, stranger.accessToken, {
        method: "POST",
        url: "/v1/projects",
        payload: { name: "Own" },
      })
    ).json().data;
    const moved = await call(t.app, stranger.accessToken, {
      method: "PATCH",
      url: `/v1/projects/${own.id}`,
      payload: { client_id: client.id },
    });
    expect(expectError(moved, 400, "VALIDATION_ERROR").details).toEqual({
      field: "client_id",
      reason: "not_found",
    });
    const events = await t.db
      .selectFrom("events")
      .select("name")
      .where("organization_id", "=", stranger.orgId)
      .where("resource_type", "=", "project")
      .execute();
    expect(events.map((e) => e.name)).toEqual(["project.created"]);
  });
});
