import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { call, expectError, registerAccount } from "../helpers/fixtures.js";
import { addMember, invite } from "../helpers/members.js";
import { authorizeQuery, oauthTokens, pkcePair, registerApp, startAuthorization } from "../helpers/oauth.js";
import { asV1, organizationRoutes, routeBodies, snapshotOf } from "../helpers/tenancy.js";

/**
 * SPEC §3 tenancy, for every route the OpenAPI document lists (so a new route is covered the day
 * it is added): organization B's credentials never see or change organization A's data. A route
 * addressing one of A's resources by id answers 403 FORBIDDEN; any other route acts on B alone.
 * B's credentials are a user token, an API key and an OAuth token a third-party app holds for B.
 *
 * An OAuth authorization request is no organization's until a person approves it in one of theirs
 * (whoever holds the consent link decides, as in any OAuth server): B may see one of A's app (its
 * name is for whoever is asked to consent) and deny it, but never approve it into A.
 */

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
  appId: "",
  grantId: "",
  authorizationRequestId: "",
};
let routes: Array<{ method: string; path: string }>;

const snapshotOfA = () => snapshotOf(t.db, a.orgId);
let BODIES: Record<string, unknown>;

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

  // A's OAuth app, the owner's consent to it, and a request of it still waiting for a decision.
  const app = await registerApp(t.app, a.token, { name: "Alpha app" });
  a.appId = app.id;
  await oauthTokens(t.app, a.token, { organizationId: a.orgId, scope: "read", registered: app });
  a.grantId = (await call(t.app, a.token, { method: "GET", url: "/v1/oauth/grants" })).json().data[0].id;
  a.authorizationRequestId = await startAuthorization(t.app, authorizeQuery(app.id, pkcePair().challenge));

  BODIES = routeBodies({ projectId: a.projectId, entryId: a.entryId, orgId: a.orgId });
  routes = await organizationRoutes(t.app);
});
afterAll(() => t.close());

// Deciding an authorization request takes a person (not a key or an app), in their own organization.
const ONLY_A_PERSON_INTO_THEIR_OWN = ["organization_not_allowed", "user_token_required"];

/** A's id for the kind of resource a path parameter names, from the parameter's pattern. */
function idOfA(versionedPath: string): string {
  const path = asV1(versionedPath);
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
  if (path.startsWith("/v1/oauth/apps/")) return a.appId;
  if (path.startsWith("/v1/oauth/grants/")) return a.grantId;
  if (path.startsWith("/v1/oauth/authorization-requests/")) return a.authorizationRequestId;
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
  a.appId,
  a.grantId,
];

describe("tenancy matrix: organization B against organization A", () => {
  it("lists at least the routes of the foundation", () => {
    const names = routes.map((r) => `${r.method} ${r.path}`);
    expect(names).toEqual(
      expect.arrayContaining(["GET /v1/users/{id}", "DELETE /v1/api-keys/{id}", "GET /v1/organization"]),
    );
  });

  for (const credential of ["user token", "API key", "OAuth token"] as const) {
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
        const token =
          credential === "user token"
            ? b.accessToken
            : credential === "API key"
              ? bKey.json().data.secret
              : (await oauthTokens(t.app, b.accessToken, { organizationId: b.orgId, scope: "admin" }))
                  .accessToken;
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
        if (asV1(path).startsWith("/v1/oauth/authorization-requests/")) {
          // B sees the request with B's organizations only, may deny it, and never approves it into A.
          if (res.statusCode === 403) {
            expect(ONLY_A_PERSON_INTO_THEIR_OWN, `${route}: ${res.body}`).toContain(
              res.json().error.details?.reason,
            );
          } else expect([200, 404], `${route}: ${res.body}`).toContain(res.statusCode);
          if (route.endsWith("/approve")) expect(res.statusCode, `${route}: ${res.body}`).not.toBe(200);
        } else if (path.includes("{id}")) {
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
      // A fresh organization (and, for the OAuth token, an app and a consent) for each of some
      // 200 routes: minutes on a busy 2-core machine, not the default 30 s.
    }, 300_000);
  }
});
