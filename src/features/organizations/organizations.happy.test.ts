import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { call, registerAccount } from "../../../test/helpers/fixtures.js";
import { addExistingAccount, memberWithToken } from "../../../test/helpers/members.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe("organizations: read, rename, change plan, list mine", () => {
  it("GET /v1/organization returns the credential's organization", async () => {
    const owner = await registerAccount(t.app, { organization_name: "Acme" });
    const res = await call(t.app, owner.accessToken, { method: "GET", url: "/v1/organization" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      data: {
        id: owner.orgId,
        name: "Acme",
        plan: "enterprise",
        mode: "live",
        sandbox_of: null,
        created_at: expect.stringMatching(TIMESTAMP),
        updated_at: expect.stringMatching(TIMESTAMP),
      },
      metadata: { timestamp: expect.stringMatching(TIMESTAMP), request_id: res.headers["x-request-id"] },
    });
  });

  it("a member (role member) may read the organization", async () => {
    const owner = await registerAccount(t.app);
    const member = await memberWithToken(t.app, owner.accessToken, "member");
    const res = await call(t.app, member.accessToken, { method: "GET", url: "/v1/organization" });
    expect(res.statusCode).toBe(200);
    expect(res.json().data.id).toBe(owner.orgId);
  });

  it("the owner renames the organization and changes its plan; credentials see it at once", async () => {
    const owner = await registerAccount(t.app, { organization_name: "Before" });
    const before = (await call(t.app, owner.accessToken, { method: "GET", url: "/v1/organization" })).json();
    const res = await call(t.app, owner.accessToken, {
      method: "PATCH",
      url: "/v1/organization",
      payload: { name: "After", plan: "free" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toEqual({
      ...before.data,
      name: "After",
      plan: "free",
      updated_at: expect.stringMatching(TIMESTAMP),
    });
    const me = await call(t.app, owner.accessToken, { method: "GET", url: "/v1/auth/me" });
    expect(me.json().data.organization).toEqual({ id: owner.orgId, name: "After", sandbox_of: null });
    const again = await call(t.app, owner.accessToken, { method: "GET", url: "/v1/organization" });
    expect(again.json().data).toEqual(res.json().data);
  });

  it("an admin may rename, and may re-send the current plan unchanged", async () => {
    const owner = await registerAccount(t.app);
    const admin = await memberWithToken(t.app, owner.accessToken, "admin");
    const res = await call(t.app, admin.accessToken, {
      method: "PATCH",
      url: "/v1/organization",
      payload: { name: "Renamed by admin", plan: "enterprise" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({ name: "Renamed by admin", plan: "enterprise" });
  });

  it("GET /v1/organizations lists the caller's active memberships with their role in each", async () => {
    const first = await registerAccount(t.app, { organization_name: "First" });
    const second = await registerAccount(t.app, { organization_name: "Second" });
    await addExistingAccount(t.app, second.accessToken, first, "manager");
    const res = await call(t.app, first.accessToken, { method: "GET", url: "/v1/organizations" });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.data).toEqual([
      {
        id: first.orgId,
        name: "First",
        plan: "enterprise",
        mode: "live",
        sandbox_of: null,
        role: "owner",
        created_at: expect.stringMatching(TIMESTAMP),
        updated_at: expect.stringMatching(TIMESTAMP),
      },
      {
        id: second.orgId,
        name: "Second",
        plan: "enterprise",
        mode: "live",
        sandbox_of: null,
        role: "manager",
        created_at: expect.stringMatching(TIMESTAMP),
        updated_at: expect.stringMatching(TIMESTAMP),
      },
    ]);
    expect(body.pagination).toEqual({
      total: 2,
      limit: 20,
      offset: 0,
      has_more: false,
      page: 1,
      per_page: 20,
      total_pages: 1,
      has_next: false,
      has_previous: false,
    });
  });

  it("GET /v1/organizations paginates in both styles", async () => {
    const user = await registerAccount(t.app, { organization_name: "Home" });
    const others = [];
    for (const name of ["B", "C"]) {
      const org = await registerAccount(t.app, { organization_name: name });
      await addExistingAccount(t.app, org.accessToken, user, "member");
      others.push(org.orgId);
    }
    const byOffset = await call(t.app, user.accessToken, {
      method: "GET",
      url: "/v1/organizations?limit=2&offset=1",
    });
    expect(byOffset.statusCode).toBe(200);
    expect(byOffset.json().data.map((o: { id: string }) => o.id)).toEqual(others);
    expect(byOffset.json().pagination).toEqual({
      total: 3,
      limit: 2,
      offset: 1,
      has_more: false,
      page: 1,
      per_page: 2,
      total_pages: 2,
      has_next: false,
      has_previous: true,
    });
    const byPage = await call(t.app, user.accessToken, {
      method: "GET",
      url: "/v1/organizations?page=2&per_page=2",
    });
    expect(byPage.json().data.map((o: { id: string }) => o.id)).toEqual([others[1]]);
    expect(byPage.json().pagination).toEqual({
      total: 3,
      limit: 2,
      offset: 2,
      has_more: false,
      page: 2,
      per_page: 2,
      total_pages: 2,
      has_next: false,
      has_previous: true,
    });
  });
});
