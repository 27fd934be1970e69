import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import {
  addExistingAccount,
  addMember,
  login,
  memberWithToken,
  newEmail,
} from "../../../test/helpers/members.js";

let t: TestApp;
let first: Account;
let second: Account;
let firstMember: { id: string; email: string };
beforeAll(async () => {
  t = await createTestApp();
  first = await registerAccount(t.app, { name: "First Owner" });
  second = await registerAccount(t.app, { name: "Second Owner" });
  firstMember = await addMember(t.app, first.accessToken, { role: "member", name: "First Member" });
});
afterAll(() => t.close());

const firstOrgMembers = async () =>
  (await call(t.app, first.accessToken, { method: "GET", url: "/v1/users" })).json().data;

describe("members: tenancy", () => {
  it("another organization's credentials get 403 on this organization's user ids and change nothing", async () => {
    const before = await firstOrgMembers();
    for (const id of [first.userId, firstMember.id]) {
      for (const [method, payload] of [
        ["GET", undefined],
        ["PATCH", { role: "admin" }],
        ["PATCH", { status: "deactivated" }],
        ["DELETE", undefined],
      ] as const) {
        const res = await call(t.app, second.accessToken, { method, url: `/v1/users/${id}`, payload });
        const error = expectError(res, 403, "FORBIDDEN");
        expect(error.details).toEqual({ reason: "foreign_organization" });
        expect(res.body).not.toContain(firstMember.email);
      }
    }
    expect(await firstOrgMembers()).toEqual(before);
  });

  it("another organization's list never shows this organization's members", async () => {
    const res = await call(t.app, second.accessToken, { method: "GET", url: "/v1/users?limit=100" });
    expect(res.json().data.map((m: { id: string }) => m.id)).toEqual([second.userId]);
    expect(res.json().pagination.total).toBe(1);
    expect(res.body).not.toContain(first.email);
  });

  it("inviting an account of another organization takes nothing from it and reveals nothing of it", async () => {
    const res = await call(t.app, second.accessToken, {
      method: "POST",
      url: "/v1/users",
      payload: { email: firstMember.email, role: "member" },
    });
    expect(res.statusCode).toBe(201);
    // The same fields as for an e-mail nobody has: no id, name or date of the existing account.
    const unknown = await call(t.app, second.accessToken, {
      method: "POST",
      url: "/v1/users",
      payload: { email: newEmail(), role: "member" },
    });
    expect(Object.keys(res.json().data).sort()).toEqual(Object.keys(unknown.json().data).sort());
    expect(res.json().data).toMatchObject({ status: "invited", accepted_by: null });
    expect(res.body).not.toContain(firstMember.id);
    expect(res.body).not.toContain("First Member");
    // Until the person accepts, the second organization has no member and no hold on the account.
    const members = await call(t.app, second.accessToken, { method: "GET", url: "/v1/users" });
    expect(members.json().data.map((m: { id: string }) => m.id)).toEqual([second.userId]);
    const inFirst = await call(t.app, first.accessToken, {
      method: "GET",
      url: `/v1/users/${firstMember.id}`,
    });
    expect(inFirst.json().data).toMatchObject({ name: "First Member", role: "member", status: "active" });
  });

  it("responses never carry a password hash", async () => {
    const added = await addMember(t.app, first.accessToken, {
      role: "member",
      password: "secret password 9",
    });
    for (const url of ["/v1/users", `/v1/users/${added.id}`]) {
      const res = await call(t.app, first.accessToken, { method: "GET", url });
      expect(res.body).not.toMatch(/argon2|password/);
    }
  });
});

describe("members: roles and credentials", () => {
  it.each(["member", "manager"])(
    "a %s may list members but gets 403 insufficient_scope on writes",
    async (role) => {
      const user = await memberWithToken(t.app, first.accessToken, role);
      const list = await call(t.app, user.accessToken, { method: "GET", url: "/v1/users" });
      expect(list.statusCode).toBe(200);
      const writes = [
        { method: "POST", url: "/v1/users", payload: { email: newEmail(), role: "member" } },
        { method: "PATCH", url: `/v1/users/${firstMember.id}`, payload: { role: "admin" } },
        { method: "PATCH", url: `/v1/users/${user.id}`, payload: { role: "admin" } },
        { method: "DELETE", url: `/v1/users/${firstMember.id}` },
      ] as const;
      for (const request of writes) {
        const error = expectError(await call(t.app, user.accessToken, request), 403, "FORBIDDEN");
        expect(error.details).toMatchObject({ reason: "insufficient_scope" });
      }
      const target = await call(t.app, first.accessToken, {
        method: "GET",
        url: `/v1/users/${firstMember.id}`,
      });
      expect(target.json().data).toMatchObject({ role: "member", status: "active" });
    },
  );

  it("a deactivated member's access and refresh tokens answer 401, and they cannot sign in here", async () => {
    const user = await memberWithToken(t.app, first.accessToken, "admin");
    expect((await call(t.app, user.accessToken, { method: "GET", url: "/v1/users" })).statusCode).toBe(200);
    await call(t.app, first.accessToken, { method: "DELETE", url: `/v1/users/${user.id}` });
    expectError(
      await call(t.app, user.accessToken, { method: "GET", url: "/v1/users" }),
      401,
      "UNAUTHORIZED",
    );
    const refresh = await t.app.inject({
      method: "POST",
      url: "/v1/auth/refresh",
      payload: { refresh_token: user.refreshToken },
    });
    expectError(refresh, 401, "UNAUTHORIZED");
    const signIn = await t.app.inject({
      method: "POST",
      url: "/v1/auth/login",
      payload: { email: user.email, password: user.password },
    });
    expectError(signIn, 401, "UNAUTHORIZED");
  });

  it("a demoted admin loses write access at once", async () => {
    const user = await memberWithToken(t.app, first.accessToken, "admin");
    // Used as an admin first, so that the process knows the token with its old role.
    expect((await call(t.app, user.accessToken, { method: "GET", url: "/v1/users" })).statusCode).toBe(200);
    const demoted = await call(t.app, first.accessToken, {
      method: "PATCH",
      url: `/v1/users/${user.id}`,
      payload: { role: "member" },
    });
    expect(demoted.statusCode, demoted.body).toBe(200);
    const res = await call(t.app, user.accessToken, {
      method: "PATCH",
      url: `/v1/users/${firstMember.id}`,
      payload: { role: "manager" },
    });
    expect(expectError(res, 403, "FORBIDDEN").details).toMatchObject({ reason: "insufficient_scope" });
    const target = await call(t.app, first.accessToken, {
      method: "GET",
      url: `/v1/users/${firstMember.id}`,
    });
    expect(target.json().data.role).toBe("member");
  });

  it("a user of two organizations manages the other one's members with X-Organization-ID", async () => {
    const user = await registerAccount(t.app);
    await addExistingAccount(t.app, first.accessToken, user, "admin");
    const headers = { "x-organization-id": first.orgId };
    const org = await call(t.app, user.accessToken, { method: "GET", url: "/v1/organization", headers });
    expect(org.json().data.id).toBe(first.orgId);
    const list = await call(t.app, user.accessToken, { method: "GET", url: "/v1/users", headers });
    expect(list.json().data.map((m: { id: string }) => m.id)).toContain(firstMember.id);
    const added = await call(t.app, user.accessToken, {
      method: "POST",
      url: "/v1/users",
      payload: { email: newEmail(), role: "member" },
      headers,
    });
    expect(added.statusCode).toBe(201);
    // Without the header the token acts for the user's own organization, where those ids are foreign.
    const home = await call(t.app, user.accessToken, { method: "GET", url: `/v1/users/${firstMember.id}` });
    expectError(home, 403, "FORBIDDEN");
    // Signing in straight to the other organization works too.
    const tokens = await login(t.app, user.email, user.password, first.orgId);
    const me = await call(t.app, tokens.accessToken, { method: "GET", url: "/v1/auth/me" });
    expect(me.json().data).toMatchObject({ role: "admin", organization: { id: first.orgId } });
  });
});
