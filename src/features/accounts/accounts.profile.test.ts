import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../../test/helpers/api-keys.js";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { call, expectError, registerAccount } from "../../../test/helpers/fixtures.js";
import { addMember, login } from "../../../test/helpers/members.js";

/** SPEC §3: a person's profile (name, e-mail, password) is theirs alone: PATCH /v1/auth/me. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const patchMe = (token: string, payload: unknown) =>
  call(t.app, token, { method: "PATCH", url: "/v1/auth/me", payload: payload as object });

describe("PATCH /v1/auth/me", () => {
  it("renames: the new name shows in /auth/me and in every organization's member list", async () => {
    const person = await registerAccount(t.app, { name: "Ada" });
    const other = await registerAccount(t.app);
    const res = await patchMe(person.accessToken, { name: "Ada King" });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data).toMatchObject({ id: person.userId, name: "Ada King", email: person.email });
    const me = await call(t.app, person.accessToken, { method: "GET", url: "/v1/auth/me" });
    expect(me.json().data.name).toBe("Ada King");
    const listed = await call(t.app, person.accessToken, {
      method: "GET",
      url: `/v1/users/${person.userId}`,
    });
    expect(listed.json().data.name).toBe("Ada King");
    // Nobody else's profile changes.
    const stranger = await call(t.app, other.accessToken, { method: "GET", url: "/v1/auth/me" });
    expect(stranger.json().data.name).not.toBe("Ada King");
  });

  it("a new password needs the current one, works at once, and ends the other sessions", async () => {
    const person = await registerAccount(t.app);
    const elsewhere = await login(t.app, person.email, person.password);
    // In use, so that this process holds the other session when the password changes.
    expect((await call(t.app, elsewhere.accessToken, { method: "GET", url: "/v1/auth/me" })).statusCode).toBe(
      200,
    );
    const missing = await patchMe(person.accessToken, { password: "a new password 1" });
    expect(expectError(missing, 400, "VALIDATION_ERROR").details).toMatchObject({
      field: "current_password",
      reason: "required",
    });
    const wrong = await patchMe(person.accessToken, {
      password: "a new password 1",
      current_password: "nope",
    });
    expect(expectError(wrong, 400, "VALIDATION_ERROR").details).toMatchObject({
      field: "current_password",
      reason: "incorrect",
    });
    await login(t.app, person.email, person.password);

    const done = await patchMe(person.accessToken, {
      password: "a new password 1",
      current_password: person.password,
    });
    expect(done.statusCode, done.body).toBe(200);
    await login(t.app, person.email, "a new password 1");
    const old = await t.app.inject({
      method: "POST",
      url: "/v1/auth/login",
      payload: { email: person.email, password: person.password },
    });
    expectError(old, 401, "UNAUTHORIZED");
    // This session goes on; the others end.
    expect((await call(t.app, person.accessToken, { method: "GET", url: "/v1/auth/me" })).statusCode).toBe(
      200,
    );
    expectError(
      await call(t.app, elsewhere.accessToken, { method: "GET", url: "/v1/auth/me" }),
      401,
      "UNAUTHORIZED",
    );
  });

  it("a new e-mail needs the current password and may not be another account's", async () => {
    const person = await registerAccount(t.app);
    const other = await registerAccount(t.app);
    const taken = await patchMe(person.accessToken, {
      email: other.email.toUpperCase(),
      current_password: person.password,
    });
    expect(expectError(taken, 409, "CONFLICT").details).toMatchObject({
      reason: "email_taken",
      field: "email",
    });
    const email = `renamed-${Date.now()}@example.com`;
    const res = await patchMe(person.accessToken, { email, current_password: person.password });
    expect(res.json().data.email).toBe(email);
    await login(t.app, email, person.password);
  });

  it("refuses API keys, unknown fields and empty bodies, and changes nothing then", async () => {
    const person = await registerAccount(t.app, { name: "Unchanged" });
    const key = await createKey(t.app, person.accessToken, { scopes: ["admin"] });
    const byKey = await patchMe(key.secret, { name: "Via key" });
    expect(expectError(byKey, 403, "FORBIDDEN").details).toEqual({ reason: "user_token_required" });
    for (const [payload, field, reason] of [
      [{}, "body", "no_fields"],
      [{ role: "owner" }, "role", "unknown_field"],
      [{ name: "" }, "name", "invalid_length"],
      [{ password: "short", current_password: person.password }, "password", "invalid_length"],
    ] as const) {
      const res = await patchMe(person.accessToken, payload);
      expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field, reason });
    }
    const me = await call(t.app, person.accessToken, { method: "GET", url: "/v1/auth/me" });
    expect(me.json().data.name).toBe("Unchanged");
  });

  it("an organization cannot rename its members; they rename themselves", async () => {
    const owner = await registerAccount(t.app);
    const member = await addMember(t.app, owner.accessToken, { name: "Mine To Choose" });
    const byOrg = await call(t.app, owner.accessToken, {
      method: "PATCH",
      url: `/v1/users/${member.id}`,
      payload: { name: "Renamed By Boss" },
    });
    expect(expectError(byOrg, 400, "VALIDATION_ERROR").details).toMatchObject({
      field: "name",
      reason: "unknown_field",
    });
    expect((await patchMe(member.accessToken, { name: "My Own Name" })).statusCode).toBe(200);
    const seen = await call(t.app, owner.accessToken, { method: "GET", url: `/v1/users/${member.id}` });
    expect(seen.json().data.name).toBe("My Own Name");
  });
});
