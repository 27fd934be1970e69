import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { memberWithToken } from "../../../test/helpers/members.js";

/** v2 (beta) additions to time entries (SPEC §8): `expand` and bulk writes. */
let t: TestApp;
let owner: Account;
let project: { id: string; client_id: string };
let task: { id: string };
let tag: { id: string };
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  const made = async (url: string, payload: object) => {
    const res = await call(t.app, owner.accessToken, { method: "POST", url, payload });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().data;
  };
  const client = await made("/v2/clients", { name: "Expand Co" });
  project = await made("/v2/projects", { name: "Expanded", client_id: client.id });
  task = await made("/v2/tasks", { title: "Wire it", project_id: project.id });
  tag = await made("/v2/tags", { name: "expand-me" });
});
afterAll(() => t.close());

const send = (
  method: "GET" | "POST" | "PATCH" | "DELETE",
  url: string,
  payload?: unknown,
  token = owner.accessToken,
) => call(t.app, token, { method, url, payload: payload as object });
const entryCount = async () =>
  (await t.db.selectFrom("time_entries").select("id").where("organization_id", "=", owner.orgId).execute())
    .length;

describe("v2 expand", () => {
  it("includes each related object as its own endpoint shows it, in lists and single reads", async () => {
    const created = await send("POST", "/v2/time-entries", {
      start: "2024-02-01T09:00:00Z",
      duration: 3600,
      project_id: project.id,
      task_id: task.id,
      tag_ids: [tag.id],
    });
    const id = created.json().data.id;
    const one = await send("GET", `/v2/time-entries/${id}?expand=project,client,task,tags,user`);
    expect(one.statusCode, one.body).toBe(200);
    const data = one.json().data;
    expect(data.project).toEqual((await send("GET", `/v2/projects/${project.id}`)).json().data);
    expect(data.client).toEqual((await send("GET", `/v2/clients/${project.client_id}`)).json().data);
    expect(data.task).toEqual((await send("GET", `/v2/tasks/${task.id}`)).json().data);
    expect(data.tags).toEqual([(await send("GET", `/v2/tags/${tag.id}`)).json().data]);
    expect(data.user).toMatchObject({ id: owner.userId, role: "owner" });
    const listed = await send("GET", "/v2/time-entries?expand=project");
    expect(listed.json().data[0].project.id).toBe(project.id);
    expect(listed.json().data[0].task).toBeUndefined();
    // Without expand, and in v1, an entry is as it always was.
    const plain = (await send("GET", `/v2/time-entries/${id}`)).json().data;
    expect(plain.project).toBeUndefined();
    expectError(await send("GET", `/v1/time-entries/${id}?expand=project`), 400, "VALIDATION_ERROR");
  });

  it("an expansion needs the scope that reads it; unknown expansions are a 400", async () => {
    const key = await createKey(t.app, owner.accessToken, { scopes: ["read:time-entries"] });
    const refused = await send("GET", "/v2/time-entries?expand=project", undefined, key.secret);
    expect(expectError(refused, 403, "FORBIDDEN").details).toMatchObject({
      reason: "insufficient_scope",
      required_scope: "read:projects",
    });
    expect((await send("GET", "/v2/time-entries", undefined, key.secret)).statusCode).toBe(200);
    const unknown = await send("GET", "/v2/time-entries?expand=secrets");
    expect(expectError(unknown, 400, "VALIDATION_ERROR").details).toMatchObject({ field: "expand" });
  });
});

describe("v2 bulk time entries", () => {
  it("creates, changes and deletes up to 100 at once", async () => {
    const before = await entryCount();
    const items = Array.from({ length: 100 }, (_, i) => ({
      start: new Date(Date.UTC(2024, 3, 1, 0, i)).toISOString(),
      duration: 30,
      description: `bulk ${i}`,
    }));
    const created = await send("POST", "/v2/time-entries/bulk", { items });
    expect(created.statusCode, created.body).toBe(201);
    const entries = created.json().data as Array<{ id: string; description: string }>;
    expect(entries.map((e) => e.description)).toEqual(items.map((i) => i.description));
    expect(await entryCount()).toBe(before + 100);

    const updated = await send("PATCH", "/v2/time-entries/bulk", {
      items: entries.slice(0, 3).map((e) => ({ id: e.id, description: `${e.description} (edited)` })),
    });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json().data.map((e: { description: string }) => e.description)).toEqual([
      "bulk 0 (edited)",
      "bulk 1 (edited)",
      "bulk 2 (edited)",
    ]);
    const deleted = await send("DELETE", "/v2/time-entries/bulk", { ids: entries.map((e) => e.id) });
    expect(deleted.statusCode).toBe(204);
    expect(await entryCount()).toBe(before);
  });

  it("all or nothing: one bad item writes nothing, and every failure is reported with its index", async () => {
    const before = await entryCount();
    const res = await send("POST", "/v2/time-entries/bulk", {
      items: [
        { start: "2024-05-01T09:00:00Z", duration: 60 },
        { start: "not a date", duration: 60 },
        { start: "2024-05-01T10:00:00Z", duration: 60, project_id: "prj_01JD6V7W9Q3E4R5T6Y7V8K9M0P" },
        { start: "2024-05-01T11:00:00Z", end: "2024-05-01T10:00:00Z" },
        { start: "2024-05-01T12:00:00Z", duration: 60 },
      ],
    });
    const error = expectError(res, 400, "VALIDATION_ERROR");
    expect(error.details?.reason).toBe("bulk_items_failed");
    const errors = error.details?.errors as Array<{
      index: number;
      code: string;
      details: { field?: string };
    }>;
    expect(errors.map((e) => [e.index, e.code, e.details.field])).toEqual([
      [1, "VALIDATION_ERROR", "start"],
      [2, "VALIDATION_ERROR", "project_id"],
      [3, "VALIDATION_ERROR", "end"],
    ]);
    expect(await entryCount()).toBe(before);
    const events = await t.db
      .selectFrom("events")
      .select("id")
      .where("name", "=", "time_entry.created")
      .execute();
    const created = await send("POST", "/v2/time-entries/bulk", {
      items: [{ start: "2024-05-02T09:00:00Z", duration: 60 }],
    });
    expect(created.statusCode).toBe(201);
    expect(
      (await t.db.selectFrom("events").select("id").where("name", "=", "time_entry.created").execute())
        .length,
    ).toBe(events.length + 1);
  });

  it("a member's bulk request follows the member's rules per item; over 100 items is refused whole", async () => {
    const member = await memberWithToken(t.app, owner.accessToken, "member");
    const ownerEntry = (
      await send("POST", "/v2/time-entries", { start: "2024-06-01T09:00:00Z", duration: 60 })
    ).json().data;
    const res = await send(
      "PATCH",
      "/v2/time-entries/bulk",
      { items: [{ id: ownerEntry.id, description: "mine now" }] },
      member.accessToken,
    );
    const error = expectError(res, 400, "VALIDATION_ERROR");
    expect(error.details?.errors).toEqual([expect.objectContaining({ index: 0, code: "FORBIDDEN" })]);
    const tooMany = await send("POST", "/v2/time-entries/bulk", {
      items: Array.from({ length: 101 }, () => ({ start: "2024-06-02T09:00:00Z", duration: 1 })),
    });
    expect(expectError(tooMany, 400, "VALIDATION_ERROR").details).toMatchObject({ field: "items" });
    const duplicates = await send("DELETE", "/v2/time-entries/bulk", { ids: [ownerEntry.id, ownerEntry.id] });
    expectError(duplicates, 400, "VALIDATION_ERROR");
    expect((await send("GET", `/v2/time-entries/${ownerEntry.id}`)).statusCode).toBe(200);
    expect((await send("POST", "/v1/time-entries/bulk", { items: [] })).statusCode).toBe(404);
  });
});
