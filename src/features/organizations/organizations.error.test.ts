import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { memberWithToken } from "../../../test/helpers/members.js";

let t: TestApp;
let owner: Account;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app, { organization_name: "Unchanged" });
});
afterAll(() => t.close());

const patch = (payload: unknown, token = owner.accessToken) =>
  call(t.app, token, { method: "PATCH", url: "/v1/organization", payload: payload as object });

async function expectUnchanged() {
  const res = await call(t.app, owner.accessToken, { method: "GET", url: "/v1/organization" });
  expect(res.json().data).toMatchObject({ name: "Unchanged", plan: "enterprise" });
}

describe("organizations: invalid requests", () => {
  it.each([
    ["an empty body", {}, "body", "no_fields"],
    ["an unknown field", { name: "X", owner: "me" }, "owner", "unknown_field"],
    ["an unknown plan", { plan: "platinum" }, "plan", "invalid_value"],
    ["an empty name", { name: "" }, "name", "invalid_length"],
    ["a name over 200 characters", { name: "x".repeat(201) }, "name", "invalid_length"],
    ["a name that is not a string", { name: 42 }, "name", "invalid_type"],
  ])("PATCH with %s is a 400 naming the field", async (_label, payload, field, reason) => {
    const error = expectError(await patch(payload), 400, "VALIDATION_ERROR");
    expect(error.details).toMatchObject({ field, reason });
    await expectUnchanged();
  });

  it("an admin cannot change the plan: 403 owner_only", async () => {
    const admin = await memberWithToken(t.app, owner.accessToken, "admin");
    const error = expectError(await patch({ plan: "free" }, admin.accessToken), 403, "FORBIDDEN");
    expect(error.details).toMatchObject({ reason: "owner_only", field: "plan" });
    expectError(await patch({ name: "Sneaky", plan: "pro" }, admin.accessToken), 403, "FORBIDDEN");
    await expectUnchanged();
  });

  it("without a credential every organization route is a 401", async () => {
    for (const [method, url] of [
      ["GET", "/v1/organization"],
      ["PATCH", "/v1/organization"],
      ["GET", "/v1/organizations"],
    ] as const) {
      expectError(await t.app.inject({ method, url, payload: { name: "x" } }), 401, "UNAUTHORIZED");
    }
  });

  it.each([
    ["an unknown query parameter", "?sort=name", "sort", "VALIDATION_ERROR"],
    ["limit over 100", "?limit=101", "limit", "VALIDATION_ERROR"],
    ["limit 0", "?limit=0", "limit", "VALIDATION_ERROR"],
    ["a negative offset", "?offset=-1", "offset", "VALIDATION_ERROR"],
    ["page 0", "?page=0", "page", "VALIDATION_ERROR"],
    ["per_page over 100", "?per_page=500", "per_page", "VALIDATION_ERROR"],
    ["a non-numeric limit", "?limit=ten", "limit", "VALIDATION_ERROR"],
    ["both pagination styles", "?limit=5&page=2", "page", "VALIDATION_ERROR"],
  ])("GET /v1/organizations with %s is a 400", async (_label, query, field, code) => {
    const res = await call(t.app, owner.accessToken, { method: "GET", url: `/v1/organizations${query}` });
    expect(expectError(res, 400, code).details).toMatchObject({ field });
  });
});
