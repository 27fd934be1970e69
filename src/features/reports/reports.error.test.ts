import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";

let t: TestApp;
let owner: Account;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
});
afterAll(() => t.close());

const get = (url: string) => call(t.app, owner.accessToken, { method: "GET", url });

/** Asserts a 400 VALIDATION_ERROR naming `field` (and `reason` when given). */
async function rejects(url: string, field: string, reason?: string) {
  const error = expectError(await get(url), 400, "VALIDATION_ERROR");
  expect(error.details?.field, `${url}: ${error.message}`).toBe(field);
  if (reason) expect(error.details?.reason, url).toBe(reason);
  return error;
}

describe("GET /v1/reports/summary: invalid requests", () => {
  it("refuses unknown, too many and repeated groupings", async () => {
    const unknown = await rejects("/v1/reports/summary?group_by=project,colour", "group_by", "invalid_value");
    expect(unknown.message).toContain('"colour"');
    expect(unknown.details?.allowed).toEqual([
      "project",
      "client",
      "task",
      "tag",
      "user",
      "day",
      "week",
      "month",
    ]);
    await rejects("/v1/reports/summary?group_by=", "group_by", "invalid_value");
    await rejects("/v1/reports/summary?group_by=project,user,day", "group_by", "too_many_values");
    await rejects("/v1/reports/summary?group_by=day,day", "group_by", "duplicate_items");
  });

  it("refuses the names every JavaScript object has, as any other unknown grouping", async () => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "project,valueOf"]) {
      await rejects(`/v1/reports/summary?group_by=${name}`, "group_by", "invalid_value");
    }
  });

  it("refuses malformed and impossible dates, naming the bound", async () => {
    for (const bad of [
      "yesterday",
      "2024-13-01",
      "2024-02-30",
      "2024-03-01T10:00:00",
      "2024-03-01T25:00:00Z",
      "1709251200",
    ]) {
      await rejects(
        `/v1/reports/summary?from=${encodeURIComponent(bad)}&to=2025-01-01`,
        "from",
        "invalid_format",
      );
    }
    await rejects("/v1/reports/summary?from=2024-01-01&to=2024-02-30", "to", "invalid_format");
  });

  it("bounds the work: at most 1,830 days, and at most 400 calendar buckets", async () => {
    const tooLong = await rejects(
      "/v1/reports/summary?from=2015-01-01&to=2024-01-01&group_by=month",
      "to",
      "range_too_long",
    );
    expect(tooLong.details?.max_days).toBe(1830);
    await rejects(
      "/v1/reports/detailed?from=1900-01-01T00:00:00Z&to=9999-12-31T00:00:00Z",
      "to",
      "range_too_long",
    );
    const days = await rejects(
      "/v1/reports/summary?from=2022-01-01&to=2024-01-01&group_by=day",
      "group_by",
      "too_many_buckets",
    );
    expect(days.message).toContain("group by a longer unit");
    await rejects(
      "/v1/reports/summary?from=2023-01-01&to=2024-03-01&group_by=project,day",
      "group_by",
      "too_many_buckets",
    );
    // The same periods by a coarser unit are fine.
    expect((await get("/v1/reports/summary?from=2022-01-01&to=2024-01-01&group_by=week")).statusCode).toBe(
      200,
    );
    expect((await get("/v1/reports/summary?from=2019-06-01&to=2024-05-01&group_by=month")).statusCode).toBe(
      200,
    );
    expect((await get("/v1/reports/summary?from=2023-01-01&to=2024-01-01&group_by=day")).statusCode).toBe(
      200,
    );
  });

  it("refuses a period that ends before it starts; an empty one is fine", async () => {
    const error = await rejects("/v1/reports/summary?from=2024-03-02&to=2024-03-01", "to", "invalid_range");
    expect(error.message).toBe("to must not be before from");
    await rejects(
      "/v1/reports/summary?from=2024-03-01T00:00:01Z&to=2024-03-01T00:00:00Z",
      "to",
      "invalid_range",
    );
    // Only `to` given, before the default `from` (the start of this month).
    await rejects("/v1/reports/summary?to=2020-01-01", "to", "invalid_range");
    const empty = await get("/v1/reports/summary?from=2024-03-01&to=2024-03-01");
    expect(empty.statusCode).toBe(200);
    expect(empty.json().data.totals).toEqual({
      seconds: 0,
      billable_seconds: 0,
      billable_amount: 0,
      entries: 0,
    });
  });

  it("refuses malformed filters and unknown parameters", async () => {
    await rejects("/v1/reports/summary?user_id=usr_nope", "user_id", "invalid_format");
    await rejects(
      "/v1/reports/summary?project_id=cli_01JD6V7W9Q3E4R5T6Y7Z8H9K0P",
      "project_id",
      "invalid_format",
    );
    await rejects("/v1/reports/summary?billable=maybe", "billable", "invalid_type");
    await rejects("/v1/reports/summary?groupby=project", "groupby", "unknown_field");
    await rejects("/v1/reports/summary?per_page=10", "per_page", "unknown_field");
  });
});

describe("GET /v1/reports/detailed: invalid requests", () => {
  it("refuses bad pagination, sort and cursor", async () => {
    await rejects("/v1/reports/detailed?per_page=101", "per_page", "out_of_range");
    await rejects("/v1/reports/detailed?limit=10&page=2", "page", "mixed_pagination_styles");
    await rejects("/v1/reports/detailed?sort=duration", "sort", "invalid_value");
    await rejects("/v1/reports/detailed?order=up", "order", "invalid_value");
    await rejects(
      "/v1/reports/detailed?starting_after=te_01JD6V7W9Q3E4R5T6Y7Z8H9K0P",
      "starting_after",
      "not_found",
    );
    await rejects("/v1/reports/detailed?group_by=project", "group_by", "unknown_field");
  });

  it("checks the period like the summary", async () => {
    await rejects("/v1/reports/detailed?from=2024-03-01T00:00:00%2B25:00", "from", "invalid_format");
    await rejects("/v1/reports/detailed?from=2024-04-01&to=2024-03-01", "to", "invalid_range");
  });
});
