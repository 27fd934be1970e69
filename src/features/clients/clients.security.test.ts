import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { memberWithToken } from "../../../test/helpers/members.js";

let t: TestApp;
let owner: Account;
let client: { id: string; name: string };
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  const res = await call(t.app, owner.accessToken, {
    method: "POST",
    url: "/v1/clients",
    payload: { name: "Acme secret client", notes: "confidential" },
  });
  client = res.json().data;
});
afterAll(() => t.close());

const writes = (id: string) =>
  [
    ["POST", "/v1/clients", { name: "New one" }, "write:clients"],
    ["PUT", `/v1/clients/${id}`, { name: "Renamed" }, "write:clients"],
    ["PATCH", `/v1/clients/${id}`, { status: "archived" }, "write:clients"],
    ["DELETE", `/v1/clients/${id}`, undefined, "delete:clients"],
  ] as const;

async function unchanged() {
  const row = await t.db.selectFrom("clients").selectAll().where("id", "=", client.id).executeTakeFirst();
  expect(row).toMatchObject({ name: "Acme secret client", status: "active", notes: "confidential" });
}

describe("clients: roles and scopes", () => {
  it("a member reads clients but every write is a 403 insufficient_scope", async () => {
    const member = await memberWithToken(t.app, owner.accessToken, "member");
    const read = await call(t.app, member.accessToken, { method: "GET", url: `/v1/clients/${client.id}` });
    expect(read.json().data).toEqual(client);
    for (const [method, url, payload, scope] of writes(client.id)) {
      const res = await call(t.app, member.accessToken, { method, url, payload });
      expect(expectError(res, 403, "FORBIDDEN").details).toEqual({
        reason: "insufficient_scope",
        required_scope: scope,
      });
    }
    await unchanged();
  });

  it("a manager manages clients", async () => {
    const manager = await memberWithToken(t.app, owner.accessToken, "manager");
    const res = await call(t.app, manager.accessToken, {
      method: "POST",
      url: "/v1/clients",
      payload: { name: "Managed" },
    });
    expect(res.statusCode).toBe(201);
    const deleted = await call(t.app, manager.accessToken, {
      method: "DELETE",
      url: `/v1/clients/${res.json().data.id}`,
    });
    expect(deleted.statusCode).toBe(204);
  });

  it("an API key with read:clients only cannot write", async () => {
    const key = await createKey(t.app, owner.accessToken, { scopes: ["read:clients"] });
    expect((await call(t.app, key.secret, { method: "GET", url: "/v1/clients" })).statusCode).toBe(200);
    for (const [method, url, payload, scope] of writes(client.id)) {
      const res = await call(t.app, key.secret, { method, url, payload });
      expect(expectError(res, 403, "FORBIDDEN").details?.required_scope).toBe(scope);
    }
    await unchanged();
  });
});

describe("clients: other organizations", () => {
  it("another organization gets 403 on this organization's client and never sees it", async () => {
    const stranger = await registerAccount(t.app);
    const strangerKey = await createKey(t.app, stranger.accessToken, { scopes: ["admin"] });
    for (const token of [stranger.accessToken, strangerKey.secret]) {
      const reads = [
        ["GET", `/v1/clients/${client.id}`, undefined, ""] as const,
        ...writes(client.id).slice(1),
      ];
      for (const [method, url, payload] of reads) {
        const res = await call(t.app, token, { method, url, payload });
        expect(expectError(res, 403, "FORBIDDEN").details).toEqual({ reason: "foreign_organization" });
        expect(res.body).not.toContain("Acme secret client");
      }
      const listed = await call(t.app, token, { method: "GET", url: "/v1/clients" });
      expect(listed.json().data).toEqual([]);
    }
    await unchanged();
    // Its own client of the same name is no conflict: names are unique per organization.
    const own = await call(t.app, stranger.accessToken, {
      method: "POST",
      url: "/v1/clients",
      payload: { name: "Acme secret client" },
    });
    expect(own.statusCode).toBe(201);
  });
});
