import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { type AddedMember, addMember, memberWithToken, newEmail } from "../../../test/helpers/members.js";

let t: TestApp;
let owner: Account;
let someone: AddedMember;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  someone = await addMember(t.app, owner.accessToken, { role: "member", name: "Someone" });
});
afterAll(() => t.close());

const UNKNOWN_ID = "usr_01JD6V7W9Q3E4R5T6Y7V8K9M0P";
const send = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown, token?: string) =>
  call(t.app, token ?? owner.accessToken, { method, url, payload: payload as object });

async function expectSomeoneUnchanged() {
  const res = await send("GET", `/v1/users/${someone.id}`);
  expect(res.json().data).toMatchObject({ name: "Someone", role: "member", status: "active" });
}

describe("members: invalid requests", () => {
  it.each([
    ["an unknown field", { email: newEmail(), role: "member", admin: true }, "admin", "unknown_field"],
    // An organization does not name people nor set their passwords: they do, when they accept.
    ["a name", { email: newEmail(), role: "member", name: "A" }, "name", "unknown_field"],
    [
      "a password",
      { email: newEmail(), role: "member", password: "a long password" },
      "password",
      "unknown_field",
    ],
    ["a missing email", { role: "member" }, "email", "required"],
    ["a missing role", { email: newEmail() }, "role", "required"],
    ["a malformed email", { email: "not-an-email", role: "member" }, "email", "invalid_format"],
    ["an unknown role", { email: newEmail(), role: "boss" }, "role", "invalid_value"],
    [
      "a negative hourly_rate",
      { email: newEmail(), role: "member", hourly_rate: -1 },
      "hourly_rate",
      "out_of_range",
    ],
  ])("POST with %s is a 400 naming the field", async (_label, payload, field, reason) => {
    const error = expectError(await send("POST", "/v1/users", payload), 400, "VALIDATION_ERROR");
    expect(error.details).toMatchObject({ field, reason });
    expect((await send("GET", "/v1/users")).json().pagination.total).toBe(2);
    expect((await send("GET", "/v1/invitations?status=invited")).json().pagination.total).toBe(0);
  });

  it.each([
    ["an empty body", {}, "body", "no_fields"],
    ["an unknown field", { email: "x@example.com" }, "email", "unknown_field"],
    ["an unknown role", { role: "superuser" }, "role", "invalid_value"],
    ["an unknown status", { status: "deleted" }, "status", "invalid_value"],
    // A person's name is theirs to change (PATCH /v1/auth/me), not the organization's.
    ["a name", { name: "Renamed" }, "name", "unknown_field"],
  ])("PATCH with %s is a 400 naming the field", async (_label, payload, field, reason) => {
    const error = expectError(
      await send("PATCH", `/v1/users/${someone.id}`, payload),
      400,
      "VALIDATION_ERROR",
    );
    expect(error.details).toMatchObject({ field, reason });
    await expectSomeoneUnchanged();
  });

  it.each([
    ["GET", undefined],
    ["PATCH", { role: "member" }],
    ["DELETE", undefined],
  ] as const)("%s with a malformed id is a 400 on field id", async (method, payload) => {
    for (const id of [
      "123",
      "usr_short",
      "org_01JD6V7W9Q3E4R5T6Y7V8K9M0P",
      "usr_01jd6v7w9q3e4r5t6y7v8k9m0p",
    ]) {
      const error = expectError(await send(method, `/v1/users/${id}`, payload), 400, "VALIDATION_ERROR");
      expect(error.details).toMatchObject({ field: "id", reason: "invalid_format" });
    }
  });

  it.each([["GET"], ["PATCH"], ["DELETE"]] as const)("%s of an unknown id is a 404", async (method) => {
    const payload = method === "PATCH" ? { role: "member" } : undefined;
    expectError(await send(method, `/v1/users/${UNKNOWN_ID}`, payload), 404, "NOT_FOUND");
  });

  it.each([
    ["an unknown filter", "?email=x", "email", "VALIDATION_ERROR"],
    ["an unknown status", "?status=gone", "status", "VALIDATION_ERROR"],
    ["an unknown role", "?role=boss", "role", "VALIDATION_ERROR"],
    ["limit over 100", "?limit=101", "limit", "VALIDATION_ERROR"],
    ["a negative offset", "?offset=-1", "offset", "VALIDATION_ERROR"],
    ["page 0", "?page=0", "page", "VALIDATION_ERROR"],
    ["per_page 0", "?per_page=0", "per_page", "VALIDATION_ERROR"],
    ["both pagination styles", "?offset=2&per_page=5", "per_page", "VALIDATION_ERROR"],
  ])("GET /v1/users with %s is a 400", async (_label, query, field, code) => {
    expect(expectError(await send("GET", `/v1/users${query}`), 400, code).details).toMatchObject({ field });
  });
});

describe("members: conflicts and role rules", () => {
  it("inviting a member is a 409 already_member, also once deactivated", async () => {
    const error = expectError(
      await send("POST", "/v1/users", { email: someone.email.toUpperCase(), role: "admin" }),
      409,
      "CONFLICT",
    );
    expect(error.details).toMatchObject({ reason: "already_member", user_id: someone.id, status: "active" });
    const gone = await addMember(t.app, owner.accessToken, { role: "member" });
    await send("DELETE", `/v1/users/${gone.id}`);
    const again = await send("POST", "/v1/users", { email: gone.email, role: "member" });
    expect(expectError(again, 409, "CONFLICT").details).toMatchObject({
      reason: "already_member",
      status: "deactivated",
    });
    await expectSomeoneUnchanged();
  });

  it("only an owner may grant owner or change an owner: 403 owner_only for an admin", async () => {
    const admin = await memberWithToken(t.app, owner.accessToken, "admin");
    const asAdmin = (method: "POST" | "PATCH" | "DELETE", url: string, payload?: unknown) =>
      send(method, url, payload, admin.accessToken);
    const attempts = [
      await asAdmin("POST", "/v1/users", { email: newEmail(), role: "owner" }),
      await asAdmin("PATCH", `/v1/users/${someone.id}`, { role: "owner" }),
      await asAdmin("PATCH", `/v1/users/${owner.userId}`, { role: "member" }),
      await asAdmin("PATCH", `/v1/users/${owner.userId}`, { status: "deactivated" }),
      await asAdmin("DELETE", `/v1/users/${owner.userId}`),
    ];
    for (const res of attempts)
      expect(expectError(res, 403, "FORBIDDEN").details).toMatchObject({ reason: "owner_only" });
    const ownerNow = await send("GET", `/v1/users/${owner.userId}`);
    expect(ownerNow.json().data).toMatchObject({ role: "owner", status: "active" });
    await expectSomeoneUnchanged();
    // What an admin may do: manage non-owners.
    const ok = await asAdmin("PATCH", `/v1/users/${someone.id}`, { role: "manager" });
    expect(ok.json().data.role).toBe("manager");
    await send("PATCH", `/v1/users/${someone.id}`, { role: "member" });
  });

  it("nobody changes their own role: 403 own_role", async () => {
    const admin = await memberWithToken(t.app, owner.accessToken, "admin");
    const res = await send("PATCH", `/v1/users/${admin.id}`, { role: "member" }, admin.accessToken);
    expect(expectError(res, 403, "FORBIDDEN").details).toMatchObject({ reason: "own_role", field: "role" });
    const self = await send("PATCH", `/v1/users/${owner.userId}`, { role: "admin" });
    expect(expectError(self, 403, "FORBIDDEN").details).toMatchObject({ reason: "own_role" });
    // Re-sending one's current role is fine.
    const same = await send("PATCH", `/v1/users/${admin.id}`, { role: "admin" }, admin.accessToken);
    expect(same.json().data).toMatchObject({ role: "admin" });
  });

  it("two owners demoting each other at once leave exactly one owner", async () => {
    const org = await registerAccount(t.app);
    const other = await memberWithToken(t.app, org.accessToken, "owner");
    const [a, b] = await Promise.all([
      send("PATCH", `/v1/users/${other.id}`, { role: "admin" }, org.accessToken),
      send("PATCH", `/v1/users/${org.userId}`, { role: "admin" }, other.accessToken),
    ]);
    // The loser sees either the last_owner conflict or, if it started late, its own demotion.
    const statuses = [a.statusCode, b.statusCode].sort();
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    const owners = await call(t.app, org.accessToken, { method: "GET", url: "/v1/users?role=owner" });
    expect(owners.json().pagination.total).toBe(1);
  });

  it("the last active owner cannot be deactivated: 409 last_owner", async () => {
    const error = expectError(await send("DELETE", `/v1/users/${owner.userId}`), 409, "CONFLICT");
    expect(error.details).toMatchObject({ reason: "last_owner" });
    const patch = await send("PATCH", `/v1/users/${owner.userId}`, { status: "deactivated" });
    expect(expectError(patch, 409, "CONFLICT").details).toMatchObject({ reason: "last_owner" });
    const ownerNow = await send("GET", `/v1/users/${owner.userId}`);
    expect(ownerNow.json().data).toMatchObject({ role: "owner", status: "active" });
  });
});
