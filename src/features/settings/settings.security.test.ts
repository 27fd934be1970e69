import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { addMember, memberWithToken } from "../../../test/helpers/members.js";

let t: TestApp;
let owner: Account;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
});
afterAll(() => t.close());

const settingsRow = () =>
  t.db
    .selectFrom("organization_settings")
    .selectAll()
    .where("organization_id", "=", owner.orgId)
    .executeTakeFirst();

describe("settings: roles, scopes and organizations", () => {
  it.each(["member", "manager"])(
    "a %s reads the settings but cannot change them or member rates",
    async (role) => {
      const user = await memberWithToken(t.app, owner.accessToken, role);
      const read = await call(t.app, user.accessToken, { method: "GET", url: "/v1/settings" });
      expect(read.statusCode).toBe(200);
      const before = await settingsRow();
      const res = await call(t.app, user.accessToken, {
        method: "PATCH",
        url: "/v1/settings",
        payload: { lock_date: "2099-01-01" },
      });
      expect(expectError(res, 403, "FORBIDDEN").details).toEqual({
        reason: "insufficient_scope",
        required_scope: "write:settings",
      });
      const rate = await call(t.app, user.accessToken, {
        method: "PATCH",
        url: `/v1/users/${user.id}/rate`,
        payload: { hourly_rate: 1_000_000 },
      });
      expect(expectError(rate, 403, "FORBIDDEN").details?.required_scope).toBe("write:users");
      expect(await settingsRow()).toEqual(before);
    },
  );

  it("an admin changes settings and member rates", async () => {
    const admin = await memberWithToken(t.app, owner.accessToken, "admin");
    const res = await call(t.app, admin.accessToken, {
      method: "PATCH",
      url: "/v1/settings",
      payload: { currency: "GBP" },
    });
    expect(res.json().data.currency).toBe("GBP");
    const rate = await call(t.app, admin.accessToken, {
      method: "PATCH",
      url: `/v1/users/${owner.userId}/rate`,
      payload: { hourly_rate: 15_000 },
    });
    expect(rate.statusCode).toBe(200);
  });

  it("coarse `write` leaves settings out; `admin` covers them", async () => {
    const writer = await createKey(t.app, owner.accessToken, { scopes: ["read", "write"] });
    const refused = await call(t.app, writer.secret, {
      method: "PATCH",
      url: "/v1/settings",
      payload: { currency: "JPY" },
    });
    expectError(refused, 403, "FORBIDDEN");
    const admin = await createKey(t.app, owner.accessToken, { scopes: ["admin"] });
    const allowed = await call(t.app, admin.secret, {
      method: "PATCH",
      url: "/v1/settings",
      payload: { currency: "JPY" },
    });
    expect(allowed.json().data.currency).toBe("JPY");
  });

  it("another organization neither sees nor changes these settings or member rates", async () => {
    await call(t.app, owner.accessToken, {
      method: "PATCH",
      url: "/v1/settings",
      payload: { timezone: "Asia/Tokyo" },
    });
    const member = await addMember(t.app, owner.accessToken);
    const stranger = await registerAccount(t.app);
    const theirs = await call(t.app, stranger.accessToken, { method: "GET", url: "/v1/settings" });
    expect(theirs.json().data.timezone).toBe("UTC");
    const before = await settingsRow();
    await call(t.app, stranger.accessToken, {
      method: "PATCH",
      url: "/v1/settings",
      payload: { lock_date: "2099-01-01" },
    });
    expect(await settingsRow()).toEqual(before);
    const rate = await call(t.app, stranger.accessToken, {
      method: "PATCH",
      url: `/v1/users/${member.id}/rate`,
      payload: { hourly_rate: 1 },
    });
    expect(expectError(rate, 403, "FORBIDDEN").details).toEqual({ reason: "foreign_organization" });
    const stored = await t.db
      .selectFrom("memberships")
      .select("hourly_rate")
      .where("user_id", "=", member.id)
      .executeTakeFirstOrThrow();
    expect(stored.hourly_rate).toBeNull();
  });
});
