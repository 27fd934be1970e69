import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { memberWithToken } from "../../../test/helpers/members.js";

let t: TestApp;
let owner: Account;
let tag: { id: string; name: string };
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
  tag = (
    await call(t.app, owner.accessToken, {
      method: "POST",
      url: "/v1/tags",
      payload: { name: "acme-secret" },
    })
  ).json().data;
});
afterAll(() => t.close());

const writes = (id: string) =>
  [
    ["POST", "/v1/tags", { name: "new" }, "write:tags"],
    ["PUT", `/v1/tags/${id}`, { name: "renamed" }, "write:tags"],
    ["PATCH", `/v1/tags/${id}`, { name: "renamed" }, "write:tags"],
    ["DELETE", `/v1/tags/${id}`, undefined, "delete:tags"],
  ] as const;

async function unchanged() {
  const rows = await t.db
    .selectFrom("tags")
    .select(["id", "name"])
    .where("organization_id", "=", owner.orgId)
    .execute();
  expect(rows).toEqual([{ id: tag.id, name: "acme-secret" }]);
}

describe("tags: roles, scopes and other organizations", () => {
  it("a member reads tags but every write is a 403 insufficient_scope", async () => {
    const member = await memberWithToken(t.app, owner.accessToken, "member");
    const read = await call(t.app, member.accessToken, { method: "GET", url: "/v1/tags" });
    expect(read.json().data).toEqual([tag]);
    for (const [method, url, payload, scope] of writes(tag.id)) {
      const res = await call(t.app, member.accessToken, { method, url, payload });
      expect(expectError(res, 403, "FORBIDDEN").details).toEqual({
        reason: "insufficient_scope",
        required_scope: scope,
      });
    }
    await unchanged();
  });

  it("another organization gets 403 on this organization's tag and never sees it", async () => {
    const stranger = await registerAccount(t.app);
    const key = await createKey(t.app, stranger.accessToken, { scopes: ["admin"] });
    for (const token of [stranger.accessToken, key.secret]) {
      for (const [method, url, payload] of [
        ["GET", `/v1/tags/${tag.id}`, undefined],
        ...writes(tag.id).slice(1),
      ] as const) {
        const res = await call(t.app, token, { method, url, payload });
        expect(expectError(res, 403, "FORBIDDEN").details).toEqual({ reason: "foreign_organization" });
        expect(res.body).not.toContain("acme-secret");
      }
      expect((await call(t.app, token, { method: "GET", url: "/v1/tags" })).json().data).toEqual([]);
    }
    await unchanged();
  });
});
