import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";

let t: TestApp;
let owner: Account;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
});
afterAll(() => t.close());

const create = (payload: unknown) =>
  call(t.app, owner.accessToken, { method: "POST", url: "/v1/api-keys", payload: payload as object });
// Well-formed (Crockford base32) but never issued.
const UNKNOWN_ID = "key_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const valid = { name: "CI", scopes: ["read:users"] };

describe("api keys: invalid requests", () => {
  it.each([
    ["an unknown field", { ...valid, owner: "me" }, "owner", "unknown_field"],
    ["a missing name", { scopes: ["read"] }, "name", "required"],
    ["an empty name", { ...valid, name: "" }, "name", "invalid_length"],
    ["a name over 200 characters", { ...valid, name: "x".repeat(201) }, "name", "invalid_length"],
    ["missing scopes", { name: "CI" }, "scopes", "required"],
    ["empty scopes", { ...valid, scopes: [] }, "scopes", "invalid_length"],
    ["an unknown scope", { ...valid, scopes: ["read", "fly:rockets"] }, "scopes.1", "invalid_value"],
    ["a repeated scope", { ...valid, scopes: ["read", "read"] }, "scopes", "duplicate_items"],
    [
      "expires_at that is not a date-time",
      { ...valid, expires_at: "tomorrow" },
      "expires_at",
      "invalid_format",
    ],
    ["expires_at in the past", { ...valid, expires_at: "2020-01-01T00:00:00Z" }, "expires_at", "in_past"],
    ["an unknown mode", { ...valid, mode: "sandbox" }, "mode", "invalid_value"],
  ])("POST with %s is a 400 naming the field", async (_case, payload, field, reason) => {
    const error = expectError(await create(payload), 400, "VALIDATION_ERROR");
    expect(error.details).toMatchObject({ field, reason });
  });

  it("an unknown scope is answered with the list of valid ones", async () => {
    const error = expectError(await create({ ...valid, scopes: ["superuser"] }), 400, "VALIDATION_ERROR");
    expect(error.message).toContain("read:time-entries");
  });

  it("nothing is stored when the request is refused", async () => {
    await create({ ...valid, scopes: [] });
    await create({ ...valid, expires_at: "2020-01-01T00:00:00Z" });
    const res = await call(t.app, owner.accessToken, { method: "GET", url: "/v1/api-keys" });
    expect(res.json().pagination.total).toBe(0);
  });

  it("malformed JSON is a 400 INVALID_REQUEST", async () => {
    const res = await call(t.app, owner.accessToken, {
      method: "POST",
      url: "/v1/api-keys",
      headers: { "content-type": "application/json" },
      payload: '{"name": "CI",',
    });
    expect(expectError(res, 400, "INVALID_REQUEST").details?.reason).toBe("malformed_json");
  });

  it.each([
    ["GET", ""],
    ["DELETE", ""],
    ["POST", "/roll"],
  ])("%s with a malformed key id is a 400 naming the id", async (method, suffix) => {
    for (const id of ["123", "usr_01JD6V7W9Q3E4R5T6Y7U8I9O0P", "key_lowercase0000000000000000"]) {
      const res = await call(t.app, owner.accessToken, {
        method: method as "GET",
        url: `/v1/api-keys/${id}${suffix}`,
      });
      expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field: "id" });
    }
  });

  it.each([
    ["GET", ""],
    ["DELETE", ""],
    ["POST", "/roll"],
  ])("%s of a key that does not exist is a 404", async (method, suffix) => {
    const res = await call(t.app, owner.accessToken, {
      method: method as "GET",
      url: `/v1/api-keys/${UNKNOWN_ID}${suffix}`,
    });
    expectError(res, 404, "NOT_FOUND");
  });

  it.each([
    ["a negative grace period", { expires_in_seconds: -1 }, "out_of_range"],
    ["a grace period over a week", { expires_in_seconds: 604_801 }, "out_of_range"],
    ["a fractional grace period", { expires_in_seconds: 1.5 }, "invalid_type"],
    ["an unknown field", { grace: 10 }, "unknown_field"],
  ])("roll with %s is a 400", async (_case, payload, reason) => {
    const key = await createKey(t.app, owner.accessToken);
    const res = await call(t.app, owner.accessToken, {
      method: "POST",
      url: `/v1/api-keys/${key.id}/roll`,
      payload,
    });
    expect(expectError(res, 400, "VALIDATION_ERROR").details?.reason).toBe(reason);
  });

  it("rolling a revoked key is a 409 and issues no secret", async () => {
    const key = await createKey(t.app, owner.accessToken);
    await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/api-keys/${key.id}` });
    const res = await call(t.app, owner.accessToken, { method: "POST", url: `/v1/api-keys/${key.id}/roll` });
    expect(expectError(res, 409, "CONFLICT").details).toEqual({ reason: "revoked" });
    const row = await t.db.selectFrom("api_keys").select("last4").where("id", "=", key.id).executeTakeFirst();
    expect(row?.last4).toBe(key.secret.slice(-4));
  });

  it("rolling an expired key is a 409: a new secret would not work either", async () => {
    const key = await createKey(t.app, owner.accessToken, { expires_at: "2999-01-01T00:00:00Z" });
    await t.db
      .updateTable("api_keys")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("id", "=", key.id)
      .execute();
    const res = await call(t.app, owner.accessToken, { method: "POST", url: `/v1/api-keys/${key.id}/roll` });
    expect(expectError(res, 409, "CONFLICT").details).toEqual({ reason: "expired" });
  });

  it.each([
    ["an unknown query parameter", "?sort=name", "sort", "unknown_field"],
    ["an unknown status", "?status=deleted", "status", "invalid_value"],
    ["an unknown mode", "?mode=staging", "mode", "invalid_value"],
    ["a limit over 100", "?limit=101", "limit", "out_of_range"],
    ["a negative offset", "?offset=-1", "offset", "out_of_range"],
    ["page 0", "?page=0", "page", "out_of_range"],
  ])("listing with %s is a 400", async (_case, query, field, reason) => {
    const res = await call(t.app, owner.accessToken, { method: "GET", url: `/v1/api-keys${query}` });
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field, reason });
  });

  it("mixing both pagination styles is a 400", async () => {
    const res = await call(t.app, owner.accessToken, { method: "GET", url: "/v1/api-keys?limit=5&page=2" });
    expect(expectError(res, 400, "VALIDATION_ERROR").details?.reason).toBe("mixed_pagination_styles");
  });

  it.each([
    ["GET", "/v1/api-keys"],
    ["POST", "/v1/api-keys"],
    ["DELETE", `/v1/api-keys/${UNKNOWN_ID}`],
  ])("%s %s without a credential is a 401", async (method, url) => {
    const res = await t.app.inject({
      method: method as "GET",
      url,
      payload: method === "POST" ? valid : undefined,
    });
    expect(expectError(res, 401, "UNAUTHORIZED").details?.reason).toBe("missing_credentials");
  });
});
