import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { accept, invite, newEmail } from "../../../test/helpers/members.js";

let t: TestApp;
let owner: Account;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
});
afterAll(() => t.close());

const memberIds = async () =>
  (await call(t.app, owner.accessToken, { method: "GET", url: "/v1/users?limit=100" }))
    .json()
    .data.map((m: { id: string }) => m.id);

describe("invitations: accepting goes wrong in words the invitee can act on", () => {
  it("an unknown token is a 404; a malformed one a 400", async () => {
    const unknown = await accept(t.app, `vlt_inv_${"A".repeat(40)}`, null, {
      name: "A",
      password: "password 1",
    });
    expectError(unknown, 404, "NOT_FOUND");
    const malformed = await accept(t.app, "vlt_inv_short", null, { name: "A", password: "password 1" });
    expect(expectError(malformed, 400, "VALIDATION_ERROR").details).toMatchObject({ field: "token" });
  });

  it("a used, revoked or expired invitation is a 409 saying which", async () => {
    const used = await invite(t.app, owner.accessToken, { email: newEmail(), role: "member" });
    expect((await accept(t.app, used.token, null, { name: "A", password: "password 1" })).statusCode).toBe(
      201,
    );
    const revoked = await invite(t.app, owner.accessToken, { email: newEmail(), role: "member" });
    await call(t.app, owner.accessToken, { method: "DELETE", url: `/v1/invitations/${revoked.id}` });
    const expired = await invite(t.app, owner.accessToken, { email: newEmail(), role: "member" });
    await t.db
      .updateTable("invitations")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("id", "=", expired.id)
      .execute();
    for (const [invitation, reason] of [
      [used, "invitation_used"],
      [revoked, "invitation_revoked"],
      [expired, "invitation_expired"],
    ] as const) {
      const res = await accept(t.app, invitation.token, null, { name: "B", password: "password 2" });
      expect(expectError(res, 409, "CONFLICT").details).toMatchObject({ reason });
    }
    const before = await memberIds();
    // An expired invitation no longer blocks a new one for the same e-mail.
    const renewed = await invite(t.app, owner.accessToken, { email: expired.email, role: "member" });
    expect(renewed.id).not.toBe(expired.id);
    expect(await memberIds()).toEqual(before);
  });

  it("a new account needs a name and a password", async () => {
    const invitation = await invite(t.app, owner.accessToken, { email: newEmail(), role: "member" });
    for (const [body, field] of [
      [{ name: "No Password" }, "password"],
      [{ password: "no name given" }, "name"],
      [{}, "name"],
    ] as const) {
      const res = await accept(t.app, invitation.token, null, body);
      expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field, reason: "required" });
    }
    const short = await accept(t.app, invitation.token, null, { name: "A", password: "short" });
    expect(expectError(short, 400, "VALIDATION_ERROR").details).toMatchObject({ field: "password" });
    expect(
      (
        await call(t.app, owner.accessToken, { method: "GET", url: `/v1/invitations/${invitation.id}` })
      ).json().data.status,
    ).toBe("invited");
  });

  it("an e-mail with an account cannot be taken over: 409 account_exists, nothing changes", async () => {
    const person = await registerAccount(t.app, { name: "Keeps Everything" });
    const invitation = await invite(t.app, owner.accessToken, { email: person.email, role: "admin" });
    const before = await memberIds();
    const res = await accept(t.app, invitation.token, null, {
      name: "Intruder",
      password: "intruder password",
    });
    expect(expectError(res, 409, "CONFLICT").details).toMatchObject({ reason: "account_exists" });
    expect(await memberIds()).toEqual(before);
    const user = await t.db
      .selectFrom("users")
      .select(["name"])
      .where("id", "=", person.userId)
      .executeTakeFirst();
    expect(user).toEqual({ name: "Keeps Everything" });
    const signIn = await t.app.inject({
      method: "POST",
      url: "/v1/auth/login",
      payload: { email: person.email, password: "intruder password" },
    });
    expectError(signIn, 401, "UNAUTHORIZED");
  });

  it("signed in as someone else: 403 email_mismatch; with an API key: 403 user_token_required", async () => {
    const invitation = await invite(t.app, owner.accessToken, { email: newEmail(), role: "admin" });
    const stranger = await registerAccount(t.app);
    const mismatch = await accept(t.app, invitation.token, stranger.accessToken);
    expect(expectError(mismatch, 403, "FORBIDDEN").details).toEqual({ reason: "email_mismatch" });
    const key = await createKey(t.app, stranger.accessToken, { scopes: ["admin"] });
    const byKey = await accept(t.app, invitation.token, key.secret);
    expect(expectError(byKey, 403, "FORBIDDEN").details).toEqual({ reason: "user_token_required" });
    const badToken = await accept(t.app, invitation.token, "vlt_at_nonsense");
    expectError(badToken, 401, "UNAUTHORIZED");
    expect(await memberIds()).not.toContain(stranger.userId);
  });

  it("one token accepted five times at once makes one member", async () => {
    const email = newEmail();
    const invitation = await invite(t.app, owner.accessToken, { email, role: "member" });
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        accept(t.app, invitation.token, null, { name: `Racer ${i}`, password: "racing password" }),
      ),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409]);
    const users = await t.db.selectFrom("users").select("id").where("email", "=", email).execute();
    expect(users).toHaveLength(1);
  });

  it("inviting an e-mail twice is a 409 already_invited naming the open invitation", async () => {
    const email = newEmail();
    const first = await invite(t.app, owner.accessToken, { email, role: "member" });
    const res = await call(t.app, owner.accessToken, {
      method: "POST",
      url: "/v1/users",
      payload: { email: email.toUpperCase(), role: "admin" },
    });
    expect(expectError(res, 409, "CONFLICT").details).toEqual({
      reason: "already_invited",
      field: "email",
      invitation_id: first.id,
    });
  });

  it("invitation ids: a malformed one is a 400, an unknown one a 404", async () => {
    const malformed = await call(t.app, owner.accessToken, { method: "GET", url: "/v1/invitations/inv_x" });
    expect(expectError(malformed, 400, "VALIDATION_ERROR").details).toMatchObject({ field: "id" });
    const unknown = "inv_01JD6V7W9Q3E4R5T6Y7V8K9M0P";
    for (const method of ["GET", "DELETE"] as const) {
      expectError(
        await call(t.app, owner.accessToken, { method, url: `/v1/invitations/${unknown}` }),
        404,
        "NOT_FOUND",
      );
    }
  });
});
