import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { memberWithToken } from "../../../test/helpers/members.js";

let t: TestApp;
let owner: Account;
let project: { id: string };
let task: { id: string; title: string };
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  project = (await api(owner.accessToken, "POST", "/v1/projects", { name: "Acme secret project" })).json()
    .data;
  task = (
    await api(owner.accessToken, "POST", "/v1/tasks", { title: "Acme secret task", project_id: project.id })
  ).json().data;
});
afterAll(() => t.close());

function api(
  token: string,
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  url: string,
  payload?: object,
) {
  return call(t.app, token, { method, url, payload });
}
const writes = (id: string, projectId: string) =>
  [
    ["POST", "/v1/tasks", { title: "New", project_id: projectId }, "write:tasks"],
    ["PUT", `/v1/tasks/${id}`, { status: "completed" }, "write:tasks"],
    ["PATCH", `/v1/tasks/${id}`, { title: "Renamed" }, "write:tasks"],
    ["DELETE", `/v1/tasks/${id}`, undefined, "delete:tasks"],
  ] as const;

async function unchanged() {
  const rows = await t.db
    .selectFrom("tasks")
    .select(["id", "title", "status"])
    .where("organization_id", "=", owner.orgId)
    .execute();
  expect(rows).toEqual([{ id: task.id, title: "Acme secret task", status: "open" }]);
}

describe("tasks: roles and scopes", () => {
  it("a member reads tasks but every write is a 403 insufficient_scope", async () => {
    const member = await memberWithToken(t.app, owner.accessToken, "member");
    expect((await api(member.accessToken, "GET", `/v1/tasks/${task.id}`)).json().data).toEqual(task);
    for (const [method, url, payload, scope] of writes(task.id, project.id)) {
      const res = await api(member.accessToken, method, url, payload);
      expect(expectError(res, 403, "FORBIDDEN").details).toEqual({
        reason: "insufficient_scope",
        required_scope: scope,
      });
    }
    await unchanged();
  });
});

describe("tasks: other organizations", () => {
  it("another organization gets 403 on this organization's task and never sees it", async () => {
    const stranger = await registerAccount(t.app);
    const own = (await api(stranger.accessToken, "POST", "/v1/projects", { name: "Own" })).json().data;
    for (const [method, url, payload] of [
      ["GET", `/v1/tasks/${task.id}`, undefined],
      ...writes(task.id, own.id).slice(1),
    ] as const) {
      const res = await api(stranger.accessToken, method, url, payload);
      expect(expectError(res, 403, "FORBIDDEN").details).toEqual({ reason: "foreign_organization" });
      expect(res.body).not.toContain("Acme secret");
    }
    const listed = await api(stranger.accessToken, "GET", `/v1/tasks?project_id=${project.id}`);
    expect(listed.json().data).toEqual([]);
    await unchanged();
  });

  it("another organization's project or member in a body is a 400 not_found that reveals nothing", async () => {
    const stranger = await registerAccount(t.app);
    const own = (await api(stranger.accessToken, "POST", "/v1/projects", { name: "Own" })).json().data;
    const ownTask = (
      await api(stranger.accessToken, "POST", "/v1/tasks", { title: "Own", project_id: own.id })
    ).json().data;
    const cases = [
      ["POST", "/v1/tasks", { title: "Borrowed", project_id: project.id }, "project_id"],
      [
        "POST",
        "/v1/tasks",
        { title: "Borrowed", project_id: own.id, assignee_id: owner.userId },
        "assignee_id",
      ],
      ["PATCH", `/v1/tasks/${ownTask.id}`, { project_id: project.id }, "project_id"],
      ["PUT", `/v1/tasks/${ownTask.id}`, { assignee_id: owner.userId }, "assignee_id"],
    ] as const;
    for (const [method, url, payload, field] of cases) {
      const res = await api(stranger.accessToken, method, url, payload);
      expect(expectError(res, 400, "VALIDATION_ERROR").details).toEqual({ field, reason: "not_found" });
      expect(res.body).not.toContain(owner.userId);
      expect(res.body).not.toContain(project.id);
    }
    const stored = (await api(stranger.accessToken, "GET", `/v1/tasks/${ownTask.id}`)).json().data;
    expect(stored).toEqual(ownTask);
    await unchanged();
  });
});
