import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { type Account, call, registerAccount } from "../../../test/helpers/fixtures.js";
import { accept, invite, login, newEmail } from "../../../test/helpers/members.js";

let t: TestApp;
let owner: Account;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app, { organization_name: "Inviting Org" });
});
afterAll(() => t.close());

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const TOKEN = /^vlt_inv_[0-9A-Za-z]{40}$/;
const get = (url: string, token = owner.accessToken) => call(t.app, token, { method: "GET", url });

describe("invitations: invite, list, accept, revoke (SPEC §3)", () => {
  it("POST /v1/users invites: 201 with the token shown once; lists, events and the invitation never show it again", async () => {
    const email = newEmail();
    const res = await call(t.app, owner.accessToken, {
      method: "POST",
      url: "/v1/users",
      payload: { email, role: "manager", hourly_rate: 8000 },
    });
    expect(res.statusCode, res.body).toBe(201);
    const data = res.json().data;
    expect(data).toEqual({
      id: expect.stringMatching(/^inv_[0-9A-Z]{26}$/),
      email,
      role: "manager",
      hourly_rate: 8000,
      status: "invited",
      invited_by: owner.userId,
      expires_at: expect.stringMatching(TIMESTAMP),
      accepted_at: null,
      accepted_by: null,
      created_at: expect.stringMatching(TIMESTAMP),
      updated_at: expect.stringMatching(TIMESTAMP),
      token: expect.stringMatching(TOKEN),
      invitation_url: `http://localhost:80/accept-invitation#token=${data.token}`,
    });
    const days = (Date.parse(data.expires_at) - Date.parse(data.created_at)) / 86_400_000;
    expect(days).toBe(7);

    const { token, invitation_url: _url, ...listed } = data;
    expect((await get(`/v1/invitations/${data.id}`)).json().data).toEqual(listed);
    const list = await get("/v1/invitations");
    expect(list.json().data).toEqual([listed]);
    expect(list.body).not.toContain(token);
    const events = await get("/v1/events?resource_type=invitation");
    expect(events.json().data.map((e: { event: string }) => e.event)).toEqual(["invitation.created"]);
    expect(events.body).not.toContain(token);
    const stored = await t.db
      .selectFrom("invitations")
      .selectAll()
      .where("id", "=", data.id)
      .executeTakeFirst();
    expect(JSON.stringify(stored)).not.toContain(token);
    // Nobody joined yet.
    expect((await get("/v1/users")).json().pagination.total).toBe(1);
  });

  it("a new person accepts with a name and password: a member with the invited role and rate, signed in", async () => {
    const email = newEmail();
    const invitation = await invite(t.app, owner.accessToken, { email, role: "manager", hourly_rate: 6000 });
    const res = await accept(t.app, invitation.token, null, {
      name: "Nadia Neu",
      password: "nadia's password",
    });
    expect(res.statusCode, res.body).toBe(201);
    const session = res.json().data;
    expect(session).toMatchObject({
      token_type: "Bearer",
      user: { email, name: "Nadia Neu" },
      organization: { id: owner.orgId, name: "Inviting Org" },
    });
    const me = await get("/v1/auth/me", session.access_token);
    expect(me.json().data).toMatchObject({ email, role: "manager", organization: { id: owner.orgId } });
    const member = await get(`/v1/users/${session.user.id}`);
    expect(member.json().data).toMatchObject({ email, name: "Nadia Neu", role: "manager", status: "active" });
    const rate = await t.db
      .selectFrom("memberships")
      .select("hourly_rate")
      .where("user_id", "=", session.user.id)
      .executeTakeFirstOrThrow();
    expect(rate.hourly_rate).toBe(6000);
    expect((await get(`/v1/invitations/${invitation.id}`)).json().data).toMatchObject({
      status: "accepted",
      accepted_by: session.user.id,
      accepted_at: expect.stringMatching(TIMESTAMP),
    });
    // The password is the person's own: it signs them in.
    expect((await login(t.app, email, "nadia's password")).accessToken).toMatch(/^vlt_at_/);
    const events = await get("/v1/events?per_page=100");
    const names = events.json().data.map((e: { event: string; actor_id: string }) => [e.event, e.actor_id]);
    expect(names).toEqual(
      expect.arrayContaining([
        ["invitation.accepted", session.user.id],
        ["member.created", session.user.id],
      ]),
    );
  });

  it("an existing account accepts while signed in: it keeps its name and password, and has both organizations", async () => {
    const person = await registerAccount(t.app, { name: "Existing Person", organization_name: "Home Org" });
    const invitation = await invite(t.app, owner.accessToken, {
      email: person.email.toUpperCase(),
      role: "member",
    });
    const res = await accept(t.app, invitation.token, person.accessToken);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().data).toMatchObject({
      user: { id: person.userId, name: "Existing Person" },
      organization: { id: owner.orgId },
    });
    await login(t.app, person.email, person.password, owner.orgId);
    const orgs = await get("/v1/organizations", person.accessToken);
    expect(orgs.json().data.map((o: { id: string; role: string }) => [o.id, o.role])).toEqual([
      [person.orgId, "owner"],
      [owner.orgId, "member"],
    ]);
    expect((await get(`/v1/users/${person.userId}`)).json().data).toMatchObject({ name: "Existing Person" });
  });

  it("DELETE revokes: the token stops working at once, and the e-mail may be invited again", async () => {
    const email = newEmail();
    const invitation = await invite(t.app, owner.accessToken, { email, role: "member" });
    const revoked = await call(t.app, owner.accessToken, {
      method: "DELETE",
      url: `/v1/invitations/${invitation.id}`,
    });
    expect(revoked.statusCode).toBe(204);
    expect((await get(`/v1/invitations/${invitation.id}`)).json().data.status).toBe("revoked");
    const again = await call(t.app, owner.accessToken, {
      method: "DELETE",
      url: `/v1/invitations/${invitation.id}`,
    });
    expect(again.statusCode).toBe(204);
    const late = await accept(t.app, invitation.token, null, { name: "Late", password: "late password" });
    expect(late.statusCode).toBe(409);
    const second = await invite(t.app, owner.accessToken, { email, role: "admin" });
    expect(second.id).not.toBe(invitation.id);
    const filtered = await get("/v1/invitations?status=revoked");
    expect(filtered.json().data.map((i: { id: string }) => i.id)).toContain(invitation.id);
    expect(filtered.json().data.map((i: { id: string }) => i.id)).not.toContain(second.id);
  });
});
