import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, registerAccount } from "../../../test/helpers/fixtures.js";
import { addMember } from "../../../test/helpers/members.js";
import { ownerApi } from "../../../test/helpers/resources.js";

let t: TestApp;
let owner: Account;
let project: { id: string };
let other: { id: string };
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  project = (await api("POST", "/v1/projects", { name: "Website" })).json().data;
  other = (await api("POST", "/v1/projects", { name: "Mobile app" })).json().data;
});
afterAll(() => t.close());

const TIMESTAMP = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
const { api, create, eventsOf } = ownerApi(
  () => t,
  () => owner,
);
const titles = (res: { json(): { data: Array<{ title: string }> } }) => res.json().data.map((x) => x.title);

describe("tasks: the reference docs' examples", () => {
  it('POST /v1/tasks {"title": "My Task", "project_id": …} then PUT {"status": "completed"}', async () => {
    const res = await api("POST", "/v1/tasks", { title: "My Task", project_id: project.id });
    expect(res.statusCode).toBe(201);
    const task = res.json().data;
    expect(res.json()).toEqual({
      data: {
        id: expect.stringMatching(/^tsk_[0-9A-Z]{26}$/),
        title: "My Task",
        description: null,
        project_id: project.id,
        status: "open",
        assignee_id: null,
        due_date: null,
        estimate_seconds: null,
        created_at: TIMESTAMP,
        updated_at: task.created_at,
      },
      metadata: { timestamp: TIMESTAMP, request_id: res.headers["x-request-id"] },
    });
    const updated = await api("PUT", `/v1/tasks/${task.id}`, { status: "completed" });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().data).toEqual({ ...task, status: "completed", updated_at: TIMESTAMP });
    expect((await api("GET", `/v1/tasks/${task.id}`)).json().data).toEqual(updated.json().data);
    const events = await eventsOf(task.id);
    expect(events).toEqual([
      expect.objectContaining({
        name: "task.created",
        resource_type: "task",
        actor_id: owner.userId,
        data: task,
      }),
      expect.objectContaining({ name: "task.updated", data: updated.json().data }),
    ]);
  });
});

describe("tasks: create, update, delete", () => {
  it("creates a task with every field", async () => {
    const member = await addMember(t.app, owner.accessToken);
    const body = {
      title: "Design the landing page",
      description: "Hero and pricing",
      project_id: project.id,
      status: "in_progress",
      assignee_id: member.id,
      due_date: "2024-02-29",
      estimate_seconds: 14400,
    };
    const task = await create("/v1/tasks", body);
    expect(task).toEqual({ id: task.id, ...body, created_at: TIMESTAMP, updated_at: TIMESTAMP });
  });

  it("PATCH moves a task without time to another project, unassigns it and clears the due date", async () => {
    const member = await addMember(t.app, owner.accessToken);
    const task = await create("/v1/tasks", {
      title: "Move me",
      project_id: project.id,
      assignee_id: member.id,
      due_date: "2024-05-01",
    });
    const res = await api("PATCH", `/v1/tasks/${task.id}`, {
      project_id: other.id,
      assignee_id: null,
      due_date: null,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toEqual({
      ...task,
      project_id: other.id,
      assignee_id: null,
      due_date: null,
      updated_at: TIMESTAMP,
    });
  });

  it("DELETE answers 204 and task.deleted keeps its last shape", async () => {
    const task = await create("/v1/tasks", { title: "Drop me", project_id: project.id });
    const res = await api("DELETE", `/v1/tasks/${task.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    expect((await api("GET", `/v1/tasks/${task.id}`)).statusCode).toBe(404);
    const events = await eventsOf(task.id);
    expect(events.map((e) => e.name)).toEqual(["task.created", "task.deleted"]);
    expect(events[1]?.data).toEqual(task);
  });
});

describe("tasks: lists", () => {
  let org: Account;
  let web = "";
  let app = "";
  let assignee = "";
  beforeAll(async () => {
    org = await registerAccount(t.app);
    web = (await api("POST", "/v1/projects", { name: "Web" }, org.accessToken)).json().data.id;
    app = (await api("POST", "/v1/projects", { name: "App" }, org.accessToken)).json().data.id;
    assignee = (await addMember(t.app, org.accessToken)).id;
    for (const [title, extra] of [
      ["Delta", { project_id: web, due_date: "2024-03-01", assignee_id: assignee }],
      ["Alpha", { project_id: app, due_date: "2024-01-01", status: "completed" }],
      ["Charlie", { project_id: web, due_date: "2024-04-01", status: "in_progress" }],
      ["Bravo", { project_id: app, due_date: "2024-02-01", assignee_id: assignee }],
    ] as const) {
      await create("/v1/tasks", { title, ...extra }, org.accessToken);
    }
    const delta = (await list("?sort=title&order=desc&limit=1")).json().data[0];
    await api("PATCH", `/v1/tasks/${delta.id}`, { description: "touched" }, org.accessToken);
  });
  const list = (query = "") => api("GET", `/v1/tasks${query}`, undefined, org.accessToken);

  it("lists newest first by default and pages in both styles", async () => {
    const res = await list();
    expect(titles(res)).toEqual(["Bravo", "Charlie", "Alpha", "Delta"]);
    expect(res.json().pagination).toMatchObject({ total: 4, has_more: false });
    const byOffset = await list("?limit=3&offset=1");
    expect(titles(byOffset)).toEqual(["Charlie", "Alpha", "Delta"]);
    expect(byOffset.json().pagination).toMatchObject({ offset: 1, has_previous: true, has_more: false });
    const byPage = await list("?page=2&per_page=2");
    expect(titles(byPage)).toEqual(["Alpha", "Delta"]);
    expect(byPage.json().pagination).toMatchObject({ page: 2, total_pages: 2, has_next: false });
  });

  it.each([
    ["title", "asc", ["Alpha", "Bravo", "Charlie", "Delta"]],
    ["title", "desc", ["Delta", "Charlie", "Bravo", "Alpha"]],
    ["due_date", "asc", ["Alpha", "Bravo", "Delta", "Charlie"]],
    ["due_date", "desc", ["Charlie", "Delta", "Bravo", "Alpha"]],
    ["created_at", "asc", ["Delta", "Alpha", "Charlie", "Bravo"]],
    ["created_at", "desc", ["Bravo", "Charlie", "Alpha", "Delta"]],
    ["updated_at", "asc", ["Alpha", "Charlie", "Bravo", "Delta"]],
    ["updated_at", "desc", ["Delta", "Bravo", "Charlie", "Alpha"]],
  ])("sorts by %s %s", async (sort, order, expected) => {
    expect(titles(await list(`?sort=${sort}&order=${order}`))).toEqual(expected);
  });

  it.each([
    ["status=completed", ["Alpha"]],
    ["status=open", ["Bravo", "Delta"]],
    ["project_id=WEB", ["Charlie", "Delta"]],
    ["assignee_id=ASSIGNEE", ["Bravo", "Delta"]],
    ["project_id=APP&assignee_id=ASSIGNEE", ["Bravo"]],
  ])("filters by %s", async (filter, expected) => {
    const query = filter.replace("WEB", web).replace("APP", app).replace("ASSIGNEE", assignee);
    const res = await list(`?${query}&sort=title&order=asc`);
    expect(titles(res)).toEqual(expected);
    expect(res.json().pagination.total).toBe(expected.length);
  });

  it("filters by creation time with from (inclusive) and to (exclusive)", async () => {
    const month = await registerAccount(t.app);
    const projectId = (await api("POST", "/v1/projects", { name: "Months" }, month.accessToken)).json().data
      .id;
    for (const title of ["January", "February", "March"]) {
      const task = await create("/v1/tasks", { title, project_id: projectId }, month.accessToken);
      const first = `2024-${String(["January", "February", "March"].indexOf(title) + 1).padStart(2, "0")}-01`;
      await t.db
        .updateTable("tasks")
        .set({ created_at: `${first}T00:00:00Z` })
        .where("id", "=", task.id)
        .execute();
    }
    const range = async (query: string) =>
      titles(await api("GET", `/v1/tasks?sort=created_at&order=asc&${query}`, undefined, month.accessToken));
    expect(await range("from=2024-02-01T00:00:00Z")).toEqual(["February", "March"]);
    expect(await range("to=2024-03-01T00:00:00Z")).toEqual(["January", "February"]);
    expect(await range("from=2024-02-01T00:00:00Z&to=2024-03-01T00:00:00Z")).toEqual(["February"]);
    expect(await range("from=2024-01-15T00:00:00%2B01:00&to=2024-02-15T00:00:00Z")).toEqual(["February"]);
  });
});
