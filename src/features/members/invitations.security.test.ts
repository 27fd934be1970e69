import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { invite, memberWithToken, newEmail } from "../../../test/helpers/members.js";

let t: TestApp;
let owner: Account;
let invitation: Awaited<ReturnType<typeof invite>>;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  invitation = await invite(t.app, owner.accessToken, { email: newEmail(), role: "member" });
});
afterAll(() => t.close());

describe("invitations: who may see and change them", () => {
  it("members and managers read invitations but cannot invite or revoke", async () => {
    for (const role of ["member", "manager"]) {
      const user = await memberWithToken(t.app, owner.accessToken, role);
      const listed = await call(t.app, user.accessToken, { method: "GET", url: "/v1/invitations" });
      expect(listed.statusCode).toBe(200);
      expect(listed.body).not.toContain(invitation.token);
      for (const request of [
        { method: "POST", url: "/v1/users", payload: { email: newEmail(), role: "member" } },
        { method: "DELETE", url: `/v1/invitations/${invitation.id}` },
      ] as const) {
        const res = await call(t.app, user.accessToken, request);
        expect(expectError(res, 403, "FORBIDDEN").details).toMatchObject({ reason: "insufficient_scope" });
      }
    }
    const key = await createKey(t.app, owner.accessToken, { scopes: ["read:projects"] });
    const res = await call(t.app, key.secret, { method: "GET", url: "/v1/invitations" });
    expect(expectError(res, 403, "FORBIDDEN").details).toMatchObject({ required_scope: "read:users" });
  });

  it("another organization gets 403 on this organization's invitation and cannot revoke it", async () => {
    const stranger = await registerAccount(t.app);
    for (const method of ["GET", "DELETE"] as const) {
      const res = await call(t.app, stranger.accessToken, {
        method,
        url: `/v1/invitations/${invitation.id}`,
      });
      expect(expectError(res, 403, "FORBIDDEN").details).toEqual({ reason: "foreign_organization" });
      expect(res.body).not.toContain(invitation.email);
    }
    const listed = await call(t.app, stranger.accessToken, { method: "GET", url: "/v1/invitations" });
    expect(listed.json().data).toEqual([]);
    const still = await call(t.app, owner.accessToken, {
      method: "GET",
      url: `/v1/invitations/${invitation.id}`,
    });
    expect(still.json().data.status).toBe("invited");
  });

  it("the audit trail records inviting without the token", async () => {
    const logs = await call(t.app, owner.accessToken, { method: "GET", url: "/v1/logs?kind=audit" });
    expect(logs.statusCode, logs.body).toBe(200);
    expect(logs.json().data.map((l: { action: string }) => l.action)).toContain("invitation.created");
    expect(logs.body).not.toContain(invitation.token);
  });
});
