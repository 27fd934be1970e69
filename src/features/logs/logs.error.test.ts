import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";

let t: TestApp;
let owner: Account;
let logId = "";
let keyId = "";
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  keyId = (await createKey(t.app, owner.accessToken)).id;
  const res = await call(t.app, owner.accessToken, { method: "GET", url: "/v1/logs" });
  logId = res.json().data[0].id;
});
afterAll(() => t.close());

const UNKNOWN_LOG = "log_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const get = (url: string) => call(t.app, owner.accessToken, { method: "GET", url });

describe("logs: invalid requests", () => {
  it.each([
    ["an unknown filter", "?path=/v1/tags", "path", "unknown_field"],
    ["an unknown kind", "?kind=debug", "kind", "invalid_value"],
    ["a status that is not a number", "?status=abc", "status", "invalid_type"],
    ["a status outside 100–599", "?status=99", "status", "out_of_range"],
    ["a lower-case method", "?method=get", "method", "invalid_value"],
    ["a malformed api_key_id", "?api_key_id=usr_01JD6V7W9Q3E4R5T6Y7Z8H9K0P", "api_key_id", "invalid_format"],
    ["a malformed user_id", "?user_id=me", "user_id", "invalid_format"],
    ["a malformed action", "?action=Key Created", "action", "invalid_format"],
    ["an unaudited resource_type", "?resource_type=project", "resource_type", "invalid_value"],
    ["a date without time", "?from=2024-02-01", "from", "invalid_format"],
    ["an impossible date", "?to=2024-02-30T00:00:00Z", "to", "invalid_format"],
    ["to before from", "?from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z", "to", "invalid_range"],
    ["an unknown sort field", "?sort=status", "sort", "invalid_value"],
    ["a limit over 100", "?limit=500", "limit", "out_of_range"],
    ["an unknown starting_after", `?starting_after=${UNKNOWN_LOG}`, "starting_after", "not_found"],
    [
      "a malformed starting_after",
      "?starting_after=evt_01JD6V7W9Q3E4R5T6Y7Z8H9K0P",
      "starting_after",
      "invalid_format",
    ],
    [
      "starting_after with offset",
      "?starting_after=LOG&offset=1",
      "starting_after",
      "mixed_pagination_styles",
    ],
  ])("listing with %s is a 400", async (_case, query, field, reason) => {
    const res = await get(`/v1/logs${query.replace("LOG", logId)}`);
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field, reason });
  });

  it("logs cannot be written or deleted through the API", async () => {
    const post = await call(t.app, owner.accessToken, { method: "POST", url: "/v1/logs", payload: {} });
    expectError(post, 404, "NOT_FOUND");
    expectError(
      await call(t.app, owner.accessToken, { method: "DELETE", url: "/v1/logs" }),
      404,
      "NOT_FOUND",
    );
  });
});

describe("api key usage: invalid requests", () => {
  it.each([
    ["a date with time", "?from=2024-03-01T00:00:00Z", "from", "invalid_format"],
    ["an impossible date", "?to=2024-13-01", "to", "invalid_format"],
    ["to before from", "?from=2024-03-10&to=2024-03-01", "to", "invalid_range"],
    ["to equal to from", "?from=2024-03-10&to=2024-03-10", "to", "invalid_range"],
    ["more than 400 days", "?from=2023-01-01&to=2024-03-01", "to", "range_too_long"],
    ["a from too far back for the default to", "?from=2001-01-01", "to", "range_too_long"],
    ["an unknown parameter", "?day=2024-03-01", "day", "unknown_field"],
  ])("%s is a 400", async (_case, query, field, reason) => {
    const res = await get(`/v1/api-keys/${keyId}/usage${query}`);
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field, reason });
  });

  it("a malformed key id is a 400 and an unknown one a 404", async () => {
    const malformed = await get("/v1/api-keys/key_123/usage");
    expect(expectError(malformed, 400, "VALIDATION_ERROR").details).toMatchObject({ field: "id" });
    expectError(await get("/v1/api-keys/key_01JD6V7W9Q3E4R5T6Y7Z8H9K0P/usage"), 404, "NOT_FOUND");
  });
});
