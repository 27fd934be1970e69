import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { addMember } from "../../../test/helpers/members.js";

let t: TestApp;
let owner: Account;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
});
afterAll(() => t.close());

const patch = (payload: unknown) =>
  call(t.app, owner.accessToken, { method: "PATCH", url: "/v1/settings", payload: payload as object });

describe("settings: invalid requests", () => {
  it.each([
    ["an empty body", {}, "body", "no_fields"],
    ["an unknown field", { theme: "dark" }, "theme", "unknown_field"],
    ["an unknown time zone", { timezone: "Mars/Olympus_Mons" }, "timezone", "invalid_timezone"],
    ["an offset instead of a zone", { timezone: "+05:00" }, "timezone", "invalid_timezone"],
    ["an empty time zone", { timezone: "" }, "timezone", "invalid_length"],
    ["an unknown week start", { week_start: "friday" }, "week_start", "invalid_value"],
    ["a lowercase currency", { currency: "eur" }, "currency", "invalid_format"],
    ["a currency that is not ISO 4217", { currency: "ABC" }, "currency", "unknown_currency"],
    ["a negative default rate", { default_hourly_rate: -1 }, "default_hourly_rate", "out_of_range"],
    ["a fractional default rate", { default_hourly_rate: 10.5 }, "default_hourly_rate", "invalid_type"],
    ["a rounding of 7 minutes", { rounding_minutes: 7 }, "rounding_minutes", "invalid_value"],
    ["a lock date that is not a date", { lock_date: "2024-02-30" }, "lock_date", "invalid_format"],
    ["a lock date with a time", { lock_date: "2024-02-01T00:00:00Z" }, "lock_date", "invalid_format"],
    ["a string for prevent_overlaps", { prevent_overlaps: "yes" }, "prevent_overlaps", "invalid_type"],
  ])("PATCH with %s is a 400 and changes nothing", async (_case, payload, field, reason) => {
    const before = (await call(t.app, owner.accessToken, { method: "GET", url: "/v1/settings" })).json().data;
    const error = expectError(await patch(payload), 400, "VALIDATION_ERROR");
    expect(error.details).toMatchObject({ field, reason });
    expect(
      (await call(t.app, owner.accessToken, { method: "GET", url: "/v1/settings" })).json().data,
    ).toEqual(before);
  });

  it.each([
    ["a missing hourly_rate", {}, "hourly_rate", "required"],
    ["a negative hourly_rate", { hourly_rate: -5 }, "hourly_rate", "out_of_range"],
    ["a string hourly_rate", { hourly_rate: "75" }, "hourly_rate", "invalid_type"],
    ["an unknown field", { hourly_rate: 5, currency: "EUR" }, "currency", "unknown_field"],
  ])("PATCH /users/{id}/rate with %s is a 400", async (_case, payload, field, reason) => {
    const member = await addMember(t.app, owner.accessToken);
    const res = await call(t.app, owner.accessToken, {
      method: "PATCH",
      url: `/v1/users/${member.id}/rate`,
      payload,
    });
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field, reason });
  });

  it("a member rate for an unknown user is a 404, for a malformed id a 400", async () => {
    const unknown = await call(t.app, owner.accessToken, {
      method: "PATCH",
      url: "/v1/users/usr_01JD6V7W9Q3E4R5T6Y7Z8H9K0P/rate",
      payload: { hourly_rate: 1 },
    });
    expectError(unknown, 404, "NOT_FOUND");
    const malformed = await call(t.app, owner.accessToken, {
      method: "PATCH",
      url: "/v1/users/te_01JD6V7W9Q3E4R5T6Y7Z8H9K0P/rate",
      payload: { hourly_rate: 1 },
    });
    expect(expectError(malformed, 400, "VALIDATION_ERROR").details?.field).toBe("id");
  });

  it("without a credential it is a 401", async () => {
    expectError(await t.app.inject({ method: "GET", url: "/v1/settings" }), 401, "UNAUTHORIZED");
  });
});
