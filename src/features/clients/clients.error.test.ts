import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { ownerApi } from "../../../test/helpers/resources.js";
import { MAX_OFFSET, MAX_PAGE, MAX_PAGE_SIZE } from "../../platform/pagination.js";

let t: TestApp;
let owner: Account;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
});
afterAll(() => t.close());

const UNKNOWN_ID = "cli_01JD6V7W9Q3E4R5T6Y7Z8H9K0P";
const { api, create, snapshot } = ownerApi(
  () => t,
  () => owner,
);

describe("clients: invalid requests", () => {
  it.each([
    ["an unknown field", { name: "X", phone: "1" }, "phone", "unknown_field"],
    ["a missing name", { email: "a@b.example" }, "name", "required"],
    ["an empty name", { name: "" }, "name", "invalid_length"],
    ["a blank name", { name: "   " }, "name", "invalid_format"],
    ["a name over 200 characters", { name: "x".repeat(201) }, "name", "invalid_length"],
    ["a malformed e-mail", { name: "X", email: "not-an-email" }, "email", "invalid_format"],
    ["an unknown status", { name: "X", status: "deleted" }, "status", "invalid_value"],
    ["notes that are not text", { name: "X", notes: 5 }, "notes", "invalid_type"],
  ])("POST with %s is a 400 naming the field, and stores nothing", async (_case, body, field, reason) => {
    const before = await snapshot("clients");
    const error = expectError(await api("POST", "/v1/clients", body), 400, "VALIDATION_ERROR");
    expect(error.details).toMatchObject({ field, reason });
    expect(await snapshot("clients")).toEqual(before);
  });

  it.each(["PUT", "PATCH"] as const)("%s with an empty body or an unknown field is a 400", async (method) => {
    const client = await create("/v1/clients", { name: `Empty ${method}` });
    const empty = expectError(await api(method, `/v1/clients/${client.id}`, {}), 400, "VALIDATION_ERROR");
    expect(empty.details?.reason).toBe("no_fields");
    const unknown = await api(method, `/v1/clients/${client.id}`, { id: UNKNOWN_ID });
    expect(expectError(unknown, 400, "VALIDATION_ERROR").details).toMatchObject({ field: "id" });
  });

  it("a second client with the same name in any case is a 409 and leaves no row and no event", async () => {
    await create("/v1/clients", { name: "Acme" });
    const before = await snapshot("clients");
    const res = await api("POST", "/v1/clients", { name: "ACME " });
    expect(expectError(res, 409, "CONFLICT").details).toEqual({ reason: "duplicate_name", field: "name" });
    expect(await snapshot("clients")).toEqual(before);
  });

  it("renaming onto another client's name is a 409 and changes nothing", async () => {
    await create("/v1/clients", { name: "Taken" });
    const other = await create("/v1/clients", { name: "Free" });
    const before = await snapshot("clients");
    const res = await api("PUT", `/v1/clients/${other.id}`, { name: "taken", notes: "lost" });
    expect(expectError(res, 409, "CONFLICT").details?.reason).toBe("duplicate_name");
    expect(await snapshot("clients")).toEqual(before);
  });

  it("deleting a client that a project belongs to is a 409 in_use; client and project stay", async () => {
    const client = await create("/v1/clients", { name: "Busy" });
    const project = await api("POST", "/v1/projects", { name: "Busy work", client_id: client.id });
    expect(project.statusCode, project.body).toBe(201);
    const before = await snapshot("clients");
    const res = await api("DELETE", `/v1/clients/${client.id}`);
    expect(expectError(res, 409, "CONFLICT").details).toEqual({ reason: "in_use", projects: 1 });
    expect(await snapshot("clients")).toEqual(before);
    expect((await api("GET", `/v1/projects/${project.json().data.id}`)).json().data.client_id).toBe(
      client.id,
    );
  });

  it.each([
    ["GET", undefined],
    ["PUT", { name: "x" }],
    ["PATCH", { name: "x" }],
    ["DELETE", undefined],
  ] as const)("%s of an unknown client is a 404, of a malformed id a 400", async (method, body) => {
    expectError(await api(method, `/v1/clients/${UNKNOWN_ID}`, body), 404, "NOT_FOUND");
    for (const id of ["123", "prj_01JD6V7W9Q3E4R5T6Y7Z8H9K0P", "cli_lowercase0000000000000000"]) {
      const res = await api(method, `/v1/clients/${id}`, body);
      expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field: "id" });
    }
  });

  it.each([
    ["an unknown filter", "?client_id=x", "client_id", "unknown_field"],
    ["an unknown sort field", "?sort=email", "sort", "invalid_value"],
    ["an unknown order", "?sort=name&order=up", "order", "invalid_value"],
    ["an unknown status", "?status=gone", "status", "invalid_value"],
    ["a limit over 100", "?limit=101", "limit", "out_of_range"],
    ["a negative offset", "?offset=-1", "offset", "out_of_range"],
    ["per_page 0", "?per_page=0", "per_page", "out_of_range"],
    ["an offset beyond what the database can hold", "?offset=1e20", "offset", "out_of_range"],
    ["an offset of Infinity", "?offset=Infinity", "offset", "out_of_range"],
    ["a page beyond what the database can hold", "?page=99999999999999999999999", "page", "out_of_range"],
    ["a page of 2^53 + 1", "?page=9007199254740993", "page", "out_of_range"],
  ])("listing with %s is a 400", async (_case, query, field, reason) => {
    const res = await api("GET", `/v1/clients${query}`);
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field, reason });
  });

  it("the largest offset and page are still a page (an empty one)", async () => {
    for (const query of [`?offset=${MAX_OFFSET}`, `?page=${MAX_PAGE}&per_page=${MAX_PAGE_SIZE}`]) {
      const res = await api("GET", `/v1/clients${query}`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().data).toEqual([]);
    }
  });

  it("mixing both pagination styles is a 400", async () => {
    const res = await api("GET", "/v1/clients?offset=5&per_page=2");
    expect(expectError(res, 400, "VALIDATION_ERROR").details?.reason).toBe("mixed_pagination_styles");
  });

  it("a request without a credential is a 401", async () => {
    const res = await t.app.inject({ method: "POST", url: "/v1/clients", payload: { name: "Anon" } });
    expectError(res, 401, "UNAUTHORIZED");
  });
});
