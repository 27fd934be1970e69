import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { call, expectError, registerAccount } from "../helpers/fixtures.js";
import { addMember, invite } from "../helpers/members.js";

/**
 * SPEC §3 tenancy, for every route the OpenAPI document lists (so a new route is covered the day
 * it is added): organization B's credentials never see or change organization A's data. A route
 * addressing one of A's resources by id answers 403 FORBIDDEN; any other route acts on B alone.
 */

// A valid body for routes that take one, so the request reaches the tenancy check rather than
// stopping at validation. A new route with a required body must add its sample here.
const BODIES: Record<string, unknown> = {
  "POST /v1/users": { email: "matrix-new@example.com", role: "member" },
  "PATCH /v1/users/{id}": { role: "admin" },
  "PATCH /v1/auth/me": { name: "B renamed" },
  "PATCH /v1/organization": { name: "Renamed by B" },
  "POST /v1/api-keys": { name: "B's key", scopes: ["read"] },
  "POST /v1/api-keys/{id}/roll": {},
  "POST /v1/clients": { name: "B's client" },
  "PUT /v1/clients/{id}": { name: "Taken over" },
  "PATCH /v1/clients/{id}": { name: "Taken over" },
  "POST /v1/projects": { name: "B's project" },
  "PUT /v1/projects/{id}": { name: "Taken over" },
  "PATCH /v1/projects/{id}": { name: "Taken over" },
  // A's project in B's body: a 400 not_found, as if it did not exist.
  get "POST /v1/tasks"() {
    return { title: "B's task", project_id: a.projectId };
  },
  "PUT /v1/tasks/{id}": { status: "completed" },
  "PATCH /v1/tasks/{id}": { title: "Taken over" },
  "POST /v1/tags": { name: "b-tag" },
  "PUT /v1/tags/{id}": { name: "taken-over" },
  "PATCH /v1/tags/{id}": { name: "taken-over" },
  "PATCH /v1/settings": { currency: "EUR" },
  "PATCH /v1/users/{id}/rate": { hourly_rate: 1 },
  "POST /v1/time-entries": { start: "2024-01-01T09:00:00Z", duration: 3600 },
  "POST /v1/time-entries/start": {},
  "PUT /v1/time-entries/{id}": { description: "Taken over" },
  "PATCH /v1/time-entries/{id}": { description: "Taken over" },
  "POST /v1/jobs": { type: "export.time_entries", params: { format: "csv" } },
  "POST /v1/webhooks": { url: "https://93.184.215.14/beta", events: ["tag.deleted"] },
  "PUT /v1/webhooks/{id}": { description: "Taken over" },
  "PATCH /v1/webhooks/{id}": { description: "Taken over" },
};

let t: TestApp;
const a = {
  orgId: "",
  token: "",
  key: "",
  keyId: "",
  memberId: "",
  memberEmail: "",
  entryId: "",
  clientId: "",
  projectId: "",
  taskId: "",
  tagId: "",
  eventId: "",
  jobId: "",
  webhookId: "",
  deliveryId: "",
  invitationId: "",
  invitedEmail: "",
};
let routes: Array<{ method: string; path: string }>;

async function snapshotOfA() {
  const db = t.db;
  return {
    organization: await db.selectFrom("organizations").selectAll().where("id", "=", a.orgId).execute(),
    memberships: await db
      .selectFrom("memberships")
      .selectAll()
      .where("organization_id", "=", a.orgId)
      .orderBy("user_id")
      .execute(),
    users: await db
      .selectFrom("users")
      .select(["id", "email", "name", "password_hash", "updated_at"])
      .where(
        "id",
        "in",
        db.selectFrom("memberships").select("user_id").where("organization_id", "=", a.orgId),
      )
      .orderBy("id")
      .execute(),
    apiKeys: await db
      .selectFrom("api_keys")
      .select([
        "id",
        "name",
        "secret_hash",
        "previous_secret_hash",
        "scopes",
        "expires_at",
        "revoked_at",
        "updated_at",
      ])
      .where("organization_id", "=", a.orgId)
      .orderBy("id")
      .execute(),
    settings: await db
      .selectFrom("organization_settings")
      .selectAll()
      .where("organization_id", "=", a.orgId)
      .execute(),
    timeEntries: await db
      .selectFrom("time_entries")
      .selectAll()
      .where("organization_id", "=", a.orgId)
      .orderBy("id")
      .execute(),
    clients: await db.selectFrom("clients").selectAll().where("organization_id", "=", a.orgId).execute(),
    projects: await db.selectFrom("projects").selectAll().where("organization_id", "=", a.orgId).execute(),
    tasks: await db.selectFrom("tasks").selectAll().where("organization_id", "=", a.orgId).execute(),
    tags: await db.selectFrom("tags").selectAll().where("organization_id", "=", a.orgId).execute(),
    webhooks: await db
      .selectFrom("webhooks")
      .select(["id", "url", "events", "description", "enabled", "secret", "previous_secret"])
      .where("organization_id", "=", a.orgId)
      .execute(),
    invitations: await db
      .selectFrom("invitations")
      .selectAll()
      .where("organization_id", "=", a.orgId)
      .orderBy("id")
      .execute(),
    sessions: await db
      .selectFrom("sessions")
      .selectAll()
      .where("organization_id", "=", a.orgId)
      .orderBy("id")
      .execute(),
  };
}

beforeAll(async () => {
  t = await createTestApp();
  const owner = await registerAccount(t.app, { organization_name: "Alpha Secret Org", name: "Alpha Owner" });
  Object.assign(a, { orgId: owner.orgId, token: owner.accessToken });
  const key = await call(t.app, a.token, {
    method: "POST",
    url: "/v1/api-keys",
    payload: { name: "Alpha key", scopes: ["admin"] },
  });
  Object.assign(a, { key: key.json().data.secret, keyId: key.json().data.id });
  const member = await addMember(t.app, a.token, {
    email: "alpha-member@example.com",
    name: "Alpha Member",
    role: "manager",
  });
  Object.assign(a, { memberId: member.id, memberEmail: member.email });
  a.invitedEmail = "alpha-invitee@example.com";
  a.invitationId = (await invite(t.app, a.token, { email: a.invitedEmail, role: "admin" })).id;
  // A running timer: B's stop, edit or delete would each change it.
  const entry = await call(t.app, a.token, {
    method: "POST",
    url: "/v1/time-entries/start",
    payload: { description: "Alpha secret entry" },
  });
  a.entryId = entry.json().data.id;

  const create = async (url: string, payload: object) =>
    (await call(t.app, a.token, { method: "POST", url, payload })).json().data.id as string;
  a.clientId = await create("/v1/clients", { name: "Alpha secret client" });
  a.projectId = await create("/v1/projects", { name: "Alpha secret project", client_id: a.clientId });
  a.taskId = await create("/v1/tasks", { title: "Alpha secret task", project_id: a.projectId });
  a.tagId = await create("/v1/tags", { name: "alpha-secret-tag" });
  a.eventId = (await call(t.app, a.token, { method: "GET", url: "/v1/events" })).json().data[0].id;
  a.jobId = (
    await call(t.app, a.token, {
      method: "POST",
      url: "/v1/jobs",
      payload: { type: "export.time_entries", params: { format: "csv" } },
    })
  ).json().data.id;

  a.webhookId = await create("/v1/webhooks", { url: "https://93.184.215.14/alpha", events: ["tag.deleted"] });
  a.deliveryId = (
    await call(t.app, a.token, { method: "POST", url: `/v1/webhooks/${a.webhookId}/test` })
  ).json().data.id;

  const doc = (await t.app.inject({ method: "GET", url: "/v1/openapi.json" })).json();
  // Routes without a security requirement are public, and so are those where a credential is
  // optional (an empty requirement, as on accepting an invitation): no organization to cross.
  // An event stream never ends, so it cannot be asked here: events.stream.security.test.ts shows
  // that another organization's events never arrive on it, and its error test that another
  // organization's event is no place to resume from.
  type Operation = { security?: object[]; responses?: Record<string, { content?: object }> };
  const streams = (op: Operation) =>
    Object.keys(op.responses?.["200"]?.content ?? {}).includes("text/event-stream");
  routes = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => op.security?.length && op.security.every((r) => Object.keys(r).length > 0))
      .filter(([, op]) => !streams(op))
      .map(([method]) => ({ method: method.toUpperCase(), path })),
  );
});
afterAll(() => t.close());

/** A's id for the kind of resource a path parameter names, from the parameter's pattern. */
function idOfA(path: string): string {
  if (path.startsWith("/v1/users/")) return a.memberId;
  if (path.startsWith("/v1/api-keys/")) return a.keyId;
  if (path.startsWith("/v1/time-entries/")) return a.entryId;
  if (path.startsWith("/v1/clients/")) return a.clientId;
  if (path.startsWith("/v1/projects/")) return a.projectId;
  if (path.startsWith("/v1/tasks/")) return a.taskId;
  if (path.startsWith("/v1/tags/")) return a.tagId;
  if (path.startsWith("/v1/events/")) return a.eventId;
  if (path.startsWith("/v1/jobs/")) return a.jobId;
  if (path.startsWith("/v1/webhooks/")) return a.webhookId;
  if (path.startsWith("/v1/invitations/")) return a.invitationId;
  throw new Error(`tenancy matrix: no id of organization A for ${path}; add one`);
}

// Anything that identifies A; none of it may appear in a response to B.
const secretsOfA = () => [
  a.orgId,
  a.keyId,
  a.memberId,
  a.memberEmail,
  "Alpha Secret Org",
  "Alpha Owner",
  "Alpha key",
  a.entryId,
  "Alpha secret entry",
  a.clientId,
  a.projectId,
  a.taskId,
  a.tagId,
  a.eventId,
  a.jobId,
  a.webhookId,
  a.deliveryId,
  a.invitationId,
  a.invitedEmail,
  "Alpha secret client",
  "Alpha secret project",
  "Alpha secret task",
  "alpha-secret-tag",
];

describe("tenancy matrix: organization B against organization A", () => {
  it("lists at least the routes of the foundation", () => {
    const names = routes.map((r) => `${r.method} ${r.path}`);
    expect(names).toEqual(
      expect.arrayContaining(["GET /v1/users/{id}", "DELETE /v1/api-keys/{id}", "GET /v1/organization"]),
    );
  });

  for (const credential of ["user token", "API key"] as const) {
    it(`with B's ${credential}: every route refuses A's ids with 403 and leaks nothing`, async () => {
      const before = await snapshotOfA();
      for (const { method, path } of routes) {
        // A fresh B per route, so B's own logout or key revocation cannot mask later routes.
        const b = await registerAccount(t.app, { organization_name: "Beta Org" });
        const bKey = await call(t.app, b.accessToken, {
          method: "POST",
          url: "/v1/api-keys",
          payload: { name: "B admin", scopes: ["admin"] },
        });
        const token = credential === "user token" ? b.accessToken : bKey.json().data.secret;
        const route = `${method} ${path}`;
        const url = (path.includes("{id}") ? path.replace("{id}", idOfA(path)) : path).replace(
          "{delivery_id}",
          a.deliveryId,
        );
        // Naming A in X-Organization-ID does not let B in (asked first: the route may end B's session).
        const crossing = await call(t.app, token, {
          method: method as "GET",
          url,
          payload: BODIES[route] as object,
          headers: { "x-organization-id": a.orgId },
        });
        expect(expectError(crossing, 403, "FORBIDDEN").details?.reason, route).toBe(
          "organization_not_allowed",
        );

        const res = await call(t.app, token, {
          method: method as "GET",
          url,
          payload: BODIES[route] as object,
        });
        if (path.includes("{id}")) {
          const error = expectError(res, 403, "FORBIDDEN");
          expect(error.details?.reason, route).toBe("foreign_organization");
        } else {
          // B's own business (it may be refused for reasons of its own, never as a crossing; a
          // person's own profile refuses API keys whoever's they are).
          expect(res.statusCode, `${route}: ${res.body}`).toBeLessThan(500);
          if (res.statusCode === 403) {
            expect(res.json().error.details?.reason, `${route}: ${res.body}`).toBe("user_token_required");
          }
        }
        for (const secret of secretsOfA())
          expect(res.body, `${route} leaked ${secret}`).not.toContain(secret);
      }
      expect(await snapshotOfA()).toEqual(before);
      // A's own credentials still work.
      expect(
        (await call(t.app, a.key, { method: "GET", url: "/v1/auth/me" })).json().data.organization.id,
      ).toBe(a.orgId);
    });
  }
});
