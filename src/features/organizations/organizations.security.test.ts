import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { addExistingAccount, memberWithToken } from "../../../test/helpers/members.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const ids = (res: { json(): { data: Array<{ id: string }> } }) => res.json().data.map((o) => o.id);

describe("organizations: who may do what, and tenancy", () => {
  it("members and managers lack write:organization", async () => {
    const owner = await registerAccount(t.app);
    for (const role of ["member", "manager"]) {
      const user = await memberWithToken(t.app, owner.accessToken, role);
      const res = await call(t.app, user.accessToken, {
        method: "PATCH",
        url: "/v1/organization",
        payload: { name: "Mine now" },
      });
      expect(expectError(res, 403, "FORBIDDEN").details).toMatchObject({
        reason: "insufficient_scope",
        required_scope: "write:organization",
      });
    }
    const org = await call(t.app, owner.accessToken, { method: "GET", url: "/v1/organization" });
    expect(org.json().data.name).not.toBe("Mine now");
  });

  it("a user of two organizations acts in the other one with X-Organization-ID and their own role there", async () => {
    const user = await registerAccount(t.app, { organization_name: "Home" });
    const other = await registerAccount(t.app, { organization_name: "Other" });
    await addExistingAccount(t.app, other.accessToken, user, "member");
    const headers = { "x-organization-id": other.orgId };
    const res = await call(t.app, user.accessToken, { method: "GET", url: "/v1/organization", headers });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({ id: other.orgId, name: "Other" });
    // Owner at home, member there: the role follows the organization.
    const write = await call(t.app, user.accessToken, {
      method: "PATCH",
      url: "/v1/organization",
      payload: { name: "Taken over" },
      headers,
    });
    expect(expectError(write, 403, "FORBIDDEN").details).toMatchObject({ reason: "insufficient_scope" });
    const home = await call(t.app, user.accessToken, { method: "GET", url: "/v1/organization" });
    expect(home.json().data.id).toBe(user.orgId);
  });

  it("X-Organization-ID of an organization the user does not belong to is a 403, a malformed one a 400", async () => {
    const user = await registerAccount(t.app);
    const stranger = await registerAccount(t.app);
    const res = await call(t.app, user.accessToken, {
      method: "GET",
      url: "/v1/organization",
      headers: { "x-organization-id": stranger.orgId },
    });
    expect(expectError(res, 403, "FORBIDDEN").details).toMatchObject({ reason: "organization_not_allowed" });
    const malformed = await call(t.app, user.accessToken, {
      method: "GET",
      url: "/v1/organization",
      headers: { "x-organization-id": "acme" },
    });
    expect(expectError(malformed, 400, "VALIDATION_ERROR").details).toMatchObject({
      field: "X-Organization-ID",
    });
  });

  it("GET /v1/organizations never shows other organizations, nor ones the caller was deactivated in", async () => {
    const user = await registerAccount(t.app);
    const other = await registerAccount(t.app);
    const added = await addExistingAccount(t.app, other.accessToken, user, "admin");
    expect(ids(await call(t.app, user.accessToken, { method: "GET", url: "/v1/organizations" }))).toEqual([
      user.orgId,
      other.orgId,
    ]);
    expect(ids(await call(t.app, other.accessToken, { method: "GET", url: "/v1/organizations" }))).toEqual([
      other.orgId,
    ]);
    // Switched into it once, so that this process knows the membership when it ends.
    const switched = await call(t.app, user.accessToken, {
      method: "GET",
      url: "/v1/organization",
      headers: { "x-organization-id": other.orgId },
    });
    expect(switched.statusCode).toBe(200);

    const removed = await call(t.app, other.accessToken, { method: "DELETE", url: `/v1/users/${added.id}` });
    expect(removed.statusCode).toBe(204);
    expect(ids(await call(t.app, user.accessToken, { method: "GET", url: "/v1/organizations" }))).toEqual([
      user.orgId,
    ]);
    // …and the switch into it is refused at once.
    const res = await call(t.app, user.accessToken, {
      method: "GET",
      url: "/v1/organization",
      headers: { "x-organization-id": other.orgId },
    });
    expectError(res, 403, "FORBIDDEN");
  });

  it("a deactivated member's token cannot read the organization", async () => {
    const owner = await registerAccount(t.app);
    const member = await memberWithToken(t.app, owner.accessToken, "member");
    await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/users/${member.id}` });
    const res = await call(t.app, member.accessToken, { method: "GET", url: "/v1/organization" });
    expectError(res, 401, "UNAUTHORIZED");
  });
});
