import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { ownerApi } from "../../../test/helpers/resources.js";

let t: TestApp;
let owner: Account;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
});
afterAll(() => t.close());

const UNKNOWN_ID = "tag_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const { api, create, snapshot } = ownerApi(
  () => t,
  () => owner,
);
const createTag = (name: string) => create("/v1/tags", { name });

describe("tags: invalid requests", () => {
  it.each([
    ["an unknown field", { name: "x", color: "red" }, "color", "unknown_field"],
    ["no name", {}, "name", "required"],
    ["an empty name", { name: "" }, "name", "invalid_length"],
    ["a blank name", { name: "\t " }, "name", "invalid_format"],
    ["a name over 100 characters", { name: "x".repeat(101) }, "name", "invalid_length"],
    ["a name that is not text", { name: 42 }, "name", "invalid_type"],
  ])("POST with %s is a 400 naming the field, and stores nothing", async (_case, body, field, reason) => {
    const before = await snapshot("tags");
    const error = expectError(await api("POST", "/v1/tags", body), 400, "VALIDATION_ERROR");
    expect(error.details).toMatchObject({ field, reason });
    expect(await snapshot("tags")).toEqual(before);
  });

  it("a name taken in any case is a 409 on create and rename; no row, no event", async () => {
    await createTag("Meeting");
    const other = await createTag("call");
    const before = await snapshot("tags");
    const created = await api("POST", "/v1/tags", { name: "MEETING" });
    expect(expectError(created, 409, "CONFLICT").details).toEqual({
      reason: "duplicate_name",
      field: "name",
    });
    const renamed = await api("PATCH", `/v1/tags/${other.id}`, { name: " meeting" });
    expect(expectError(renamed, 409, "CONFLICT").details?.reason).toBe("duplicate_name");
    expect(await snapshot("tags")).toEqual(before);
  });

  it.each(["PUT", "PATCH"] as const)("%s without a name is a 400", async (method) => {
    const tag = await createTag(`nameless ${method}`);
    const error = expectError(await api(method, `/v1/tags/${tag.id}`, {}), 400, "VALIDATION_ERROR");
    expect(error.details).toMatchObject({ field: "name", reason: "required" });
  });

  it.each([
    ["GET", undefined],
    ["PUT", { name: "x" }],
    ["PATCH", { name: "x" }],
    ["DELETE", undefined],
  ] as const)("%s of an unknown tag is a 404, of a malformed id a 400", async (method, body) => {
    expectError(await api(method, `/v1/tags/${UNKNOWN_ID}`, body), 404, "NOT_FOUND");
    const res = await api(method, "/v1/tags/meeting", body);
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field: "id" });
  });

  it.each([
    ["a filter (tags have none)", "?name=meeting", "name", "unknown_field"],
    ["an unknown sort field", "?sort=updated_at", "sort", "invalid_value"],
    ["an unknown order", "?order=random", "order", "invalid_value"],
    ["per_page over 100", "?per_page=1000", "per_page", "out_of_range"],
  ])("listing with %s is a 400", async (_case, query, field, reason) => {
    const res = await api("GET", `/v1/tags${query}`);
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field, reason });
  });
});
