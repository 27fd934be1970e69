import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";

let t: TestApp;
let owner: Account;
let eventId = "";
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  await call(t.app, owner.accessToken, { method: "POST", url: "/v1/tags", payload: { name: "x" } });
  const res = await call(t.app, owner.accessToken, { method: "GET", url: "/v1/events" });
  eventId = res.json().data[0].id;
});
afterAll(() => t.close());

const UNKNOWN_ID = "evt_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const get = (url: string) => call(t.app, owner.accessToken, { method: "GET", url });

describe("events: invalid requests", () => {
  it.each([
    ["an unknown starting_after", `?starting_after=${UNKNOWN_ID}`, "starting_after", "not_found"],
    [
      "a malformed starting_after",
      "?starting_after=prj_01JD6V7W9Q3E4R5T6Y7Z8H9K0P",
      "starting_after",
      "invalid_format",
    ],
    [
      "starting_after with offset",
      "?starting_after=EVT&offset=1",
      "starting_after",
      "mixed_pagination_styles",
    ],
    ["starting_after with page", "?starting_after=EVT&page=2", "starting_after", "mixed_pagination_styles"],
    ["an unknown filter", "?name=tag.created", "name", "unknown_field"],
    ["a malformed event name", "?event=Tag Created", "event", "invalid_format"],
    ["an unknown sort field", "?sort=event", "sort", "invalid_value"],
    ["to before from", "?from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z", "to", "invalid_range"],
    ["a date without time", "?from=2024-02-01", "from", "invalid_format"],
    ["a limit over 100", "?limit=500", "limit", "out_of_range"],
  ])("listing with %s is a 400", async (_case, query, field, reason) => {
    const res = await get(`/v1/events${query.replace("EVT", eventId)}`);
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field, reason });
  });

  it("an unknown event is a 404 and a malformed id a 400", async () => {
    expectError(await get(`/v1/events/${UNKNOWN_ID}`), 404, "NOT_FOUND");
    const res = await get("/v1/events/evt_123");
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field: "id" });
  });

  it("events cannot be written through the API", async () => {
    const res = await call(t.app, owner.accessToken, { method: "POST", url: "/v1/events", payload: {} });
    expectError(res, 404, "NOT_FOUND");
    const del = await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/events/${eventId}` });
    expectError(del, 404, "NOT_FOUND");
  });
});
