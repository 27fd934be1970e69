import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../helpers/api-keys.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../helpers/fixtures.js";
import { addMember, invite, login } from "../helpers/members.js";
import { authorizeQuery, oauthTokens, pkcePair, registerApp, startAuthorization } from "../helpers/oauth.js";
import { asV1, organizationRoutes, routeBodies, snapshotOf } from "../helpers/tenancy.js";

/**
 * SPEC §8: live and test data never meet, in either direction, on every route of the OpenAPI
 * document. A test-mode credential (a `vlt_test_` key, or a user token sent with the sandbox's
 * X-Organization-ID) addressing a live resource by id is refused with 403, and so is a live
 * credential addressing a sandbox resource; any other route acts on the credential's own side,
 * changes nothing on the other and shows none of its data.
 *
 * The two sides share, by design, what is not data: the organization's id and name (the sandbox
 * names its live organization), the person acting, and the API keys, which all belong to the live
 * organization (test mode cannot manage them: 403 `live_only`).
 */

interface Side {
  orgId: string;
  memberId: string;
  entryId: string;
  clientId: string;
  projectId: string;
  taskId: string;
  tagId: string;
  eventId: string;
  jobId: string;
  webhookId: string;
  deliveryId: string;
  invitationId?: string;
  keyId?: string;
  /** OAuth apps, consents and authorization requests are the live organization's alone. */
  oauthAppId?: string;
  oauthGrantId?: string;
  authorizationRequestId?: string;
  /** Words that identify this side's data; none may reach the other side. */
  secrets: string[];
}

let t: TestApp;
let owner: Account;
let routes: Array<{ method: string; path: string }>;
let live: Side;
let sandbox: Side;

// Routes that act on the sandbox from either mode by design: tested in src/features/sandbox/.
const SANDBOX_ROUTES = [
  "GET /v1/sandbox",
  "POST /v1/sandbox/reset",
  "GET /v2/sandbox",
  "POST /v2/sandbox/reset",
];

/** Makes this side's resources with `token` (the sandbox's: a test key) and names them. */
async function arrange(token: string, label: string, headers: Record<string, string> = {}) {
  const create = async (url: string, payload: object) => {
    const res = await call(t.app, token, { method: "POST", url, payload, headers });
    expect([201, 202], `${url}: ${res.body}`).toContain(res.statusCode);
    return res.json().data.id as string;
  };
  const entryId = await create("/v1/time-entries/start", { description: `${label} running entry` });
  const clientId = await create("/v1/clients", { name: `${label} client` });
  const projectId = await create("/v1/projects", { name: `${label} project`, client_id: clientId });
  const taskId = await create("/v1/tasks", { title: `${label} task`, project_id: projectId });
  const tagId = await create("/v1/tags", { name: `${label.toLowerCase()}-tag` });
  const jobId = await create("/v1/jobs", { type: "export.time_entries", params: { format: "csv" } });
  const webhookId = await create("/v1/webhooks", {
    url: `https://93.184.215.14/${label}`,
    events: ["tag.*"],
  });
  const delivery = await call(t.app, token, {
    method: "POST",
    url: `/v1/webhooks/${webhookId}/test`,
    headers,
  });
  const events = await call(t.app, token, { method: "GET", url: "/v1/events?per_page=1", headers });
  return {
    entryId,
    clientId,
    projectId,
    taskId,
    tagId,
    jobId,
    webhookId,
    deliveryId: delivery.json().data.id as string,
    eventId: events.json().data[0].id as string,
    names: [
      `${label} running entry`,
      `${label} client`,
      `${label} project`,
      `${label} task`,
      `${label.toLowerCase()}-tag`,
      `https://93.184.215.14/${label}`,
    ],
  };
}

const idsOf = (side: Omit<Side, "secrets">) =>
  [
    side.memberId,
    side.entryId,
    side.clientId,
    side.projectId,
    side.taskId,
    side.tagId,
    side.eventId,
    side.jobId,
    side.webhookId,
    side.deliveryId,
    side.invitationId,
    side.keyId,
    side.oauthAppId,
    side.oauthGrantId,
  ].filter((id): id is string => id !== undefined);

beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app, { organization_name: "Matrix Co", name: "Matrix Owner" });
  const liveKey = await createKey(t.app, owner.accessToken, { name: "Live admin key", scopes: ["admin"] });
  const member = await addMember(t.app, owner.accessToken, {
    email: "live-only-member@example.com",
    name: "Live Only Member",
    role: "manager",
  });
  const invitation = await invite(t.app, owner.accessToken, {
    email: "live-invitee@example.com",
    role: "admin",
  });
  const liveData = await arrange(owner.accessToken, "Live");
  const oauthApp = await registerApp(t.app, owner.accessToken, { name: "Live app" });
  await oauthTokens(t.app, owner.accessToken, {
    organizationId: owner.orgId,
    scope: "read",
    registered: oauthApp,
  });
  live = {
    orgId: owner.orgId,
    memberId: member.id,
    invitationId: invitation.id,
    keyId: liveKey.id,
    oauthAppId: oauthApp.id,
    oauthGrantId: (await call(t.app, owner.accessToken, { method: "GET", url: "/v1/oauth/grants" })).json()
      .data[0].id,
    authorizationRequestId: await startAuthorization(
      t.app,
      authorizeQuery(oauthApp.id, pkcePair().challenge),
    ),
    ...liveData,
    secrets: [],
  };
  live.secrets = [...idsOf(live), ...liveData.names, "live-only-member@example.com", "Live Only Member"];
  live.secrets.push("live-invitee@example.com", "Live admin key");

  const testKey = await createKey(t.app, owner.accessToken, {
    name: "Arranging",
    scopes: ["admin"],
    mode: "test",
  });
  const twinId = (await call(t.app, testKey.secret, { method: "GET", url: "/v1/sandbox" })).json().data
    .organization_id as string;
  const sandboxData = await arrange(testKey.secret, "Sandbox");
  const demoMember = (
    await call(t.app, testKey.secret, { method: "GET", url: "/v1/users?role=member&per_page=1" })
  ).json().data[0];
  sandbox = { orgId: twinId, memberId: demoMember.id, ...sandboxData, secrets: [] };
  sandbox.secrets = [...idsOf(sandbox), ...sandboxData.names, demoMember.email, demoMember.name];

  routes = (await organizationRoutes(t.app)).filter((r) => !SANDBOX_ROUTES.includes(`${r.method} ${r.path}`));
});
afterAll(() => t.close());

/** The id of `side` for the kind of resource a path names; undefined when the side has none. */
function idOf(side: Side, versionedPath: string): string | undefined {
  const path = asV1(versionedPath);
  const ids: Record<string, string | undefined> = {
    "/v1/users/": side.memberId,
    "/v1/api-keys/": side.keyId,
    "/v1/time-entries/": side.entryId,
    "/v1/clients/": side.clientId,
    "/v1/projects/": side.projectId,
    "/v1/tasks/": side.taskId,
    "/v1/tags/": side.tagId,
    "/v1/events/": side.eventId,
    "/v1/jobs/": side.jobId,
    "/v1/webhooks/": side.webhookId,
    "/v1/invitations/": side.invitationId,
    "/v1/oauth/apps/": side.oauthAppId,
    "/v1/oauth/grants/": side.oauthGrantId,
    "/v1/oauth/authorization-requests/": side.authorizationRequestId,
  };
  const prefix = Object.keys(ids).find((p) => path.startsWith(p));
  if (!prefix) throw new Error(`sandbox matrix: no id for ${path}; add one`);
  return ids[prefix];
}

type Mode = "test key" | "user token in the sandbox" | "live key" | "live user token";

/** A fresh credential of `mode` per route, so that a route ending it cannot mask later ones. */
async function credential(mode: Mode): Promise<{ token: string; headers: Record<string, string> }> {
  if (mode === "test key" || mode === "live key") {
    const key = await createKey(t.app, owner.accessToken, {
      name: `${mode} for the matrix`,
      scopes: ["admin"],
      mode: mode === "test key" ? "test" : "live",
    });
    return { token: key.secret, headers: {} };
  }
  const { accessToken } = await login(t.app, owner.email, owner.password);
  return {
    token: accessToken,
    headers: mode === "user token in the sandbox" ? { "x-organization-id": sandbox.orgId } : {},
  };
}

// A test-mode credential may be refused for being in test mode, a person's own routes refuse API keys.
const OWN_REFUSALS = ["live_only", "user_token_required"];

/**
 * The body, less the paths of the request log: it records the requests this side's credentials
 * sent, the refused ones with the other side's ids among them. Nothing else of a log entry may
 * name the other side.
 */
function shown(res: { body: string; json(): unknown }): string {
  if (!res.body) return res.body;
  const body = res.json() as { data?: unknown };
  if (!Array.isArray(body.data) || !body.data.some((entry) => entry?.kind === "request")) return res.body;
  return JSON.stringify(body.data.map(({ path: _path, ...entry }) => entry));
}

/**
 * The target's snapshot, less what belongs to the person acting, who is the same on both sides:
 * their profile (`PATCH /v1/auth/me` renames them everywhere) and the sessions the walk's own
 * logins made (a session is the live organization's, and a walked logout ends one).
 */
async function snapshotBefore(target: Side, since: Date) {
  const snapshot = await snapshotOf(t.db, target.orgId);
  return {
    ...snapshot,
    users: snapshot.users.filter((u) => u.id !== owner.userId),
    sessions: snapshot.sessions.filter((s) => (s as { created_at: Date }).created_at < since),
  };
}

async function walk(mode: Mode, target: Side, own: Side) {
  // Every credential is made before the snapshot: a test key, too, is a row of the live organization.
  const since = new Date(Date.now() - 1000);
  const credentials = [];
  for (const _ of routes) credentials.push(await credential(mode));
  const before = await snapshotBefore(target, since);
  const bodies = routeBodies({ projectId: target.projectId, entryId: target.entryId });
  let crossed = 0;
  for (const [i, { method, path }] of routes.entries()) {
    const route = `${method} ${path}`;
    const targetId = path.includes("{id}") ? idOf(target, path) : undefined;
    // Keys, invitations and OAuth exist only in the live organization: nothing of the sandbox to address.
    if (path.includes("{id}") && targetId === undefined) continue;
    const { token, headers } = credentials[i] as Awaited<ReturnType<typeof credential>>;
    const url = (targetId ? path.replace("{id}", targetId) : path).replace(
      "{delivery_id}",
      target.deliveryId,
    );
    const res = await call(t.app, token, {
      method: method as "GET",
      url,
      payload: bodies[route] as object,
      headers,
    });
    if (targetId) {
      crossed += 1;
      const reason = expectError(res, 403, "FORBIDDEN").details?.reason;
      expect(["foreign_organization", "live_only"], `${route}: ${res.body}`).toContain(reason);
    } else {
      expect(res.statusCode, `${route}: ${res.body}`).toBeLessThan(500);
      if (res.statusCode === 403)
        expect(OWN_REFUSALS, `${route}: ${res.body}`).toContain(res.json().error.details?.reason);
    }
    for (const secret of target.secrets)
      expect(shown(res), `${route} leaked ${secret}`).not.toContain(secret);
  }
  expect(crossed).toBeGreaterThan(30);
  expect(await snapshotBefore(target, since)).toEqual(before);
  // The credential's own side still has its data.
  const { token, headers } = await credential(mode);
  const mine = await call(t.app, token, { method: "GET", url: `/v1/clients/${own.clientId}`, headers });
  expect(mine.statusCode, mine.body).toBe(200);
}

describe("sandbox matrix: live and test data never meet", () => {
  it("covers the routes of the sandbox and the foundation", () => {
    const names = routes.map((r) => `${r.method} ${r.path}`);
    expect(names).toEqual(
      expect.arrayContaining(["GET /v1/time-entries/{id}", "DELETE /v1/webhooks/{id}", "GET /v1/logs"]),
    );
  });

  for (const mode of ["test key", "user token in the sandbox"] as const) {
    it(`with a ${mode}: every route refuses live ids with 403, and live data stays unseen and unchanged`, async () => {
      await walk(mode, live, sandbox);
    });
  }

  for (const mode of ["live key", "live user token"] as const) {
    it(`with a ${mode}: every route refuses sandbox ids with 403, and sandbox data stays unseen and unchanged`, async () => {
      await walk(mode, sandbox, live);
    });
  }

  it("neither mode crosses with X-Organization-ID: keys never switch", async () => {
    const testKey = await credential("test key");
    const liveKey = await credential("live key");
    for (const [token, orgId] of [
      [testKey.token, live.orgId],
      [liveKey.token, sandbox.orgId],
    ] as const) {
      const res = await call(t.app, token, {
        method: "GET",
        url: "/v1/clients",
        headers: { "x-organization-id": orgId },
      });
      expect(expectError(res, 403, "FORBIDDEN").details?.reason).toBe("organization_not_allowed");
    }
  });

  it("lists show only their own side: every item of every list belongs to the credential's side", async () => {
    const tables: Record<
      string,
      "clients" | "projects" | "tasks" | "tags" | "time_entries" | "events" | "jobs" | "webhooks" | "logs"
    > = {
      "/v1/clients": "clients",
      "/v1/projects": "projects",
      "/v1/tasks": "tasks",
      "/v1/tags": "tags",
      "/v1/time-entries": "time_entries",
      "/v1/events": "events",
      "/v1/jobs": "jobs",
      "/v1/webhooks": "webhooks",
      "/v1/logs": "logs",
    };
    for (const [mode, side] of [
      ["test key", sandbox],
      ["user token in the sandbox", sandbox],
      ["live key", live],
      ["live user token", live],
    ] as const) {
      const { token, headers } = await credential(mode);
      for (const [url, table] of Object.entries(tables)) {
        const res = await call(t.app, token, { method: "GET", url: `${url}?per_page=100`, headers });
        expect(res.statusCode, `${mode} ${url}: ${res.body}`).toBe(200);
        const ids = res.json().data.map((item: { id: string }) => item.id) as string[];
        if (url !== "/v1/logs") expect(ids.length, `${mode} ${url}`).toBeGreaterThan(0);
        if (ids.length === 0) continue;
        const owners = await t.db
          .selectFrom(table)
          .select("organization_id")
          .distinct()
          .where("id", "in", ids)
          .execute();
        expect(owners, `${mode} ${url}`).toEqual([{ organization_id: side.orgId }]);
      }
      const users = await call(t.app, token, { method: "GET", url: "/v1/users?per_page=100", headers });
      const userIds = users.json().data.map((u: { id: string }) => u.id);
      expect(userIds).toContain(side.memberId);
      expect(userIds).not.toContain((side === live ? sandbox : live).memberId);
    }
  });
});
