import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { addExistingAccount, memberWithToken } from "../../../test/helpers/members.js";
import { at, timeFixtures } from "./test-fixtures.js";

let t: TestApp;
let owner: Account;
let fx: ReturnType<typeof timeFixtures>;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app, { organization_name: "Alpha Time Org" });
  fx = timeFixtures(t.app, t.db);
});
afterAll(() => t.close());

const ids = (res: { json(): { data: Array<{ id: string }> } }) =>
  res
    .json()
    .data.map((e) => e.id)
    .sort();
const actOn = (token: string, id: string) => ({
  get: () => call(t.app, token, { method: "GET", url: `/v1/time-entries/${id}` }),
  patch: () =>
    call(t.app, token, {
      method: "PATCH",
      url: `/v1/time-entries/${id}`,
      payload: { description: "mine now" },
    }),
  put: () =>
    call(t.app, token, { method: "PUT", url: `/v1/time-entries/${id}`, payload: { billable: false } }),
  stop: () => call(t.app, token, { method: "POST", url: `/v1/time-entries/${id}/stop` }),
  remove: () => call(t.app, token, { method: "DELETE", url: `/v1/time-entries/${id}` }),
});
const row = (id: string) =>
  t.db.selectFrom("time_entries").selectAll().where("id", "=", id).executeTakeFirst();

describe("time entries: members and managers", () => {
  it("a member sees and changes only their own entries", async () => {
    const member = await memberWithToken(t.app, owner.accessToken, "member");
    const other = await memberWithToken(t.app, owner.accessToken, "member");
    const own = await fx.entry(member.accessToken, { start: at(1), duration: 60 });
    const theirs = await fx.entry(other.accessToken, { start: at(2) });
    const owners = await fx.entry(owner.accessToken, { start: at(3), duration: 60 });

    const listed = await call(t.app, member.accessToken, { method: "GET", url: "/v1/time-entries" });
    expect(ids(listed)).toEqual([own.id]);
    const asked = await call(t.app, member.accessToken, {
      method: "GET",
      url: `/v1/time-entries?user_id=${other.id}`,
    });
    expect(ids(asked)).toEqual([]);
    for (const id of [theirs.id, owners.id]) {
      const before = await row(id);
      const act = actOn(member.accessToken, id);
      for (const res of [
        await act.get(),
        await act.patch(),
        await act.put(),
        await act.stop(),
        await act.remove(),
      ]) {
        expect(expectError(res, 403, "FORBIDDEN").details).toEqual({ reason: "not_owner" });
      }
      expect(await row(id)).toEqual(before);
    }
    const current = await call(t.app, member.accessToken, { method: "GET", url: "/v1/time-entries/current" });
    expect(current.json().data).toBeNull();
    expect((await actOn(member.accessToken, own.id).patch()).statusCode).toBe(200);
  });

  it("a member may not track time for someone else, nor hand an entry over", async () => {
    const member = await memberWithToken(t.app, owner.accessToken, "member");
    const forOwner = await call(t.app, member.accessToken, {
      method: "POST",
      url: "/v1/time-entries",
      payload: { start: at(5), duration: 60, user_id: owner.userId },
    });
    expect(expectError(forOwner, 403, "FORBIDDEN").details).toEqual({ reason: "not_owner" });
    const timer = await call(t.app, member.accessToken, {
      method: "POST",
      url: "/v1/time-entries/start",
      payload: { user_id: owner.userId },
    });
    expectError(timer, 403, "FORBIDDEN");
    const own = await fx.entry(member.accessToken, { start: at(6), duration: 60 });
    const handed = await call(t.app, member.accessToken, {
      method: "PATCH",
      url: `/v1/time-entries/${own.id}`,
      payload: { user_id: owner.userId },
    });
    expectError(handed, 403, "FORBIDDEN");
    expect((await row(own.id))?.user_id).toBe(member.id);
    // Naming themselves is no handover.
    const self = await call(t.app, member.accessToken, {
      method: "PATCH",
      url: `/v1/time-entries/${own.id}`,
      payload: { user_id: member.id },
    });
    expect(self.statusCode).toBe(200);
  });

  it("a member sets hourly_rate only where the organization's members_set_rates allows it", async () => {
    const org = await registerAccount(t.app);
    const member = await memberWithToken(t.app, org.accessToken, "member");
    const setting = (on: boolean) =>
      call(t.app, org.accessToken, {
        method: "PATCH",
        url: "/v1/settings",
        payload: { members_set_rates: on },
      });
    const count = async () =>
      (await t.db.selectFrom("time_entries").select("id").where("organization_id", "=", org.orgId).execute())
        .length;

    const refused = await call(t.app, member.accessToken, {
      method: "POST",
      url: "/v1/time-entries",
      payload: { start: at(1), duration: 60, hourly_rate: 99_999 },
    });
    expect(expectError(refused, 403, "FORBIDDEN").details).toEqual({
      reason: "rates_not_allowed",
      field: "hourly_rate",
    });
    const timer = await call(t.app, member.accessToken, {
      method: "POST",
      url: "/v1/time-entries/start",
      payload: { hourly_rate: 99_999 },
    });
    expectError(timer, 403, "FORBIDDEN");
    expect(await count()).toBe(0);

    const own = await fx.entry(member.accessToken, { start: at(2), duration: 60 });
    for (const method of ["PATCH", "PUT"] as const) {
      const res = await call(t.app, member.accessToken, {
        method,
        url: `/v1/time-entries/${own.id}`,
        payload: { hourly_rate: 99_999 },
      });
      expect(expectError(res, 403, "FORBIDDEN").details?.reason).toBe("rates_not_allowed");
    }
    expect((await row(own.id))?.hourly_rate).toBeNull();
    // Sending back the rate the entry has is no change, and other edits still work.
    const echoed = await call(t.app, member.accessToken, {
      method: "PATCH",
      url: `/v1/time-entries/${own.id}`,
      payload: { hourly_rate: null, description: "echoed" },
    });
    expect(echoed.statusCode, echoed.body).toBe(200);

    expect((await setting(true)).json().data.members_set_rates).toBe(true);
    const allowed = await call(t.app, member.accessToken, {
      method: "PATCH",
      url: `/v1/time-entries/${own.id}`,
      payload: { hourly_rate: 12_000 },
    });
    expect(allowed.json().data).toMatchObject({ hourly_rate: 12_000, billable_rate: 12_000 });
    await setting(false);
    // Managers and above set rates either way.
    const byOwner = await call(t.app, org.accessToken, {
      method: "PATCH",
      url: `/v1/time-entries/${own.id}`,
      payload: { hourly_rate: 15_000 },
    });
    expect(byOwner.json().data.hourly_rate).toBe(15_000);
  });

  it.each(["manager", "admin"])("a %s sees everyone's entries and acts on them", async (role) => {
    const org = await registerAccount(t.app);
    const lead = await memberWithToken(t.app, org.accessToken, role);
    const member = await memberWithToken(t.app, org.accessToken, "member");
    const theirs = await fx.entry(member.accessToken, { start: at(1) });
    const forMember = await fx.entry(lead.accessToken, { start: at(2), duration: 60, user_id: member.id });
    expect(forMember.user_id).toBe(member.id);
    const listed = await call(t.app, lead.accessToken, { method: "GET", url: "/v1/time-entries" });
    expect(ids(listed)).toEqual([theirs.id, forMember.id].sort());
    const act = actOn(lead.accessToken, theirs.id);
    expect((await act.get()).statusCode).toBe(200);
    expect((await act.stop()).statusCode).toBe(200);
    expect((await act.patch()).json().data).toMatchObject({ description: "mine now", user_id: member.id });
    expect((await act.remove()).statusCode).toBe(204);
  });

  it("scopes decide too: a read-only key reads but cannot write", async () => {
    const key = await createKey(t.app, owner.accessToken, { scopes: ["read:time-entries"] });
    expect((await call(t.app, key.secret, { method: "GET", url: "/v1/time-entries" })).statusCode).toBe(200);
    const started = await call(t.app, key.secret, { method: "POST", url: "/v1/time-entries/start" });
    expect(expectError(started, 403, "FORBIDDEN").details?.required_scope).toBe("write:time-entries");
    const other = await createKey(t.app, owner.accessToken, { scopes: ["read:projects"] });
    const listed = await call(t.app, other.secret, { method: "GET", url: "/v1/time-entries" });
    expect(expectError(listed, 403, "FORBIDDEN").details?.required_scope).toBe("read:time-entries");
  });
});

describe("time entries: other organizations", () => {
  it("another organization's entry id is a 403 on every route, and nothing leaks or changes", async () => {
    const entry = await fx.entry(owner.accessToken, { start: at(40), description: "Alpha secret work" });
    const before = await row(entry.id);
    const stranger = await registerAccount(t.app);
    const strangerKey = await createKey(t.app, stranger.accessToken, { scopes: ["admin"] });
    for (const token of [stranger.accessToken, strangerKey.secret]) {
      const act = actOn(token, entry.id);
      for (const res of [
        await act.get(),
        await act.patch(),
        await act.put(),
        await act.stop(),
        await act.remove(),
      ]) {
        expect(expectError(res, 403, "FORBIDDEN").details).toEqual({ reason: "foreign_organization" });
        expect(res.body).not.toContain("Alpha secret work");
      }
      const listed = await call(t.app, token, {
        method: "GET",
        url: `/v1/time-entries?user_id=${owner.userId}`,
      });
      expect(listed.json().data).toEqual([]);
      const cursor = await call(t.app, token, {
        method: "GET",
        url: `/v1/time-entries?starting_after=${entry.id}`,
      });
      expect(expectError(cursor, 400, "VALIDATION_ERROR").details?.field).toBe("starting_after");
      const current = await call(t.app, token, { method: "GET", url: "/v1/time-entries/current" });
      expect(current.json().data).toBeNull();
    }
    // The stranger's user could never see it anyway: the timer's own person, asking for their
    // current timer in another organization, is what only the organization filter keeps apart.
    await addExistingAccount(t.app, stranger.accessToken, owner, "member");
    const elsewhere = await call(t.app, owner.accessToken, {
      method: "GET",
      url: "/v1/time-entries/current",
      headers: { "x-organization-id": stranger.orgId },
    });
    expect(elsewhere.statusCode, elsewhere.body).toBe(200);
    expect(elsewhere.json().data).toBeNull();
    expect(await row(entry.id)).toEqual(before);
  });

  it("another organization's project, task, tag or user in a body is a 400 like an unknown one", async () => {
    const project = await fx.project(owner.orgId);
    const task = await fx.task(owner.orgId, project);
    const tag = await fx.tag(owner.orgId);
    const stranger = await registerAccount(t.app);
    const unknown = {
      project_id: "prj_01JD6V7W9Q3E4R5T6Y7Z8H9K0P",
      task_id: "tsk_01JD6V7W9Q3E4R5T6Y7Z8H9K0P",
      tag_ids: ["tag_01JD6V7W9Q3E4R5T6Y7Z8H9K0P"],
      user_id: "usr_01JD6V7W9Q3E4R5T6Y7Z8H9K0P",
    };
    const foreign = { project_id: project, task_id: task, tag_ids: [tag], user_id: owner.userId };
    const field = { project_id: "project_id", task_id: "task_id", tag_ids: "tag_ids.0", user_id: "user_id" };
    const own = await fx.entry(stranger.accessToken, { start: at(1), duration: 60 });
    for (const name of Object.keys(foreign) as Array<keyof typeof foreign>) {
      for (const [method, url] of [
        ["POST", "/v1/time-entries"],
        ["PATCH", `/v1/time-entries/${own.id}`],
      ] as const) {
        const body = (value: unknown) => ({
          ...(method === "POST" ? { start: at(2), duration: 60 } : {}),
          [name]: value,
        });
        const refused = await call(t.app, stranger.accessToken, {
          method,
          url,
          payload: body(foreign[name]),
        });
        const error = expectError(refused, 400, "VALIDATION_ERROR");
        expect(error.details).toEqual({ field: field[name], reason: "not_found" });
        const unknownError = expectError(
          await call(t.app, stranger.accessToken, { method, url, payload: body(unknown[name]) }),
          400,
          "VALIDATION_ERROR",
        );
        // Same answer, apart from the id it names: the other organization's data stays invisible.
        expect(error.message.replace(/\w+_[0-9A-Z]{26}/, "ID")).toBe(
          unknownError.message.replace(/\w+_[0-9A-Z]{26}/, "ID"),
        );
      }
    }
    const entries = await t.db
      .selectFrom("time_entries")
      .select("id")
      .where("organization_id", "=", stranger.orgId)
      .execute();
    expect(entries).toEqual([{ id: own.id }]);
  });
});
