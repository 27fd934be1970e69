import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import type { Db } from "../../src/platform/db/connection.js";
import { API_VERSIONS } from "../../src/platform/versions.js";

/**
 * What the tenancy matrices share (test/security/): the routes of the OpenAPI document that act
 * for an organization, a valid body for each, and a snapshot of everything an organization owns.
 */

/**
 * A valid body for routes that take one, so the request reaches the tenancy check rather than
 * stopping at validation. A new route with a required body must add its sample here.
 * `foreign` names resources of the organization being attacked: a task created in its project
 * is refused as if the project did not exist; its entry in a v2 bulk batch is refused per item.
 * Every version takes the same bodies: each sample is given for /v1 and for /v2.
 */
export function routeBodies(foreign: {
  projectId: string;
  entryId: string;
  /** The attacked organization: B approving an app into it is refused (it is not B's). */
  orgId?: string;
}): Record<string, unknown> {
  const v1: Record<string, unknown> = {
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
    "POST /v1/tasks": { title: "B's task", project_id: foreign.projectId },
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
    "POST /v1/oauth/apps": { name: "B's app", redirect_uris: ["https://b.example.com/callback"] },
    "PATCH /v1/oauth/apps/{id}": { name: "Taken over" },
    "POST /v1/oauth/authorization-requests/{id}/approve": {
      organization_id: foreign.orgId ?? "org_01JD6V7W9Q3E4R5T6Y7Z8H9K0P",
    },
    // v2's bulk routes, named as v1 would name them.
    "POST /v1/time-entries/bulk": { items: [{ start: "2024-01-01T09:00:00Z", duration: 60 }] },
    "PATCH /v1/time-entries/bulk": { items: [{ id: foreign.entryId, description: "Taken over" }] },
    "DELETE /v1/time-entries/bulk": { ids: [foreign.entryId] },
  };
  return Object.fromEntries(
    Object.entries(v1).flatMap(([route, body]) => [
      [route, body],
      [route.replace(" /v1/", " /v2/"), body],
    ]),
  );
}

/** The path as v1 names it: ids and bodies are the same in every version. */
export const asV1 = (path: string) => path.replace(/^\/v\d+\//, "/v1/");

/**
 * Every operation that needs a credential, of every API version's document (v2's beta routes are
 * held to the same rules as v1's). Routes without a security requirement are public, and so are
 * those where a credential is optional (an empty requirement, as on accepting an invitation): no
 * organization to cross. An event stream never ends, so it cannot be asked here:
 * events.stream.security.test.ts shows that another organization's events never arrive on it, and
 * its error test that another organization's event is no place to resume from.
 */
export async function organizationRoutes(
  app: FastifyInstance,
): Promise<Array<{ method: string; path: string }>> {
  type Operation = { security?: object[]; responses?: Record<string, { content?: object }> };
  const streams = (op: Operation) =>
    Object.keys(op.responses?.["200"]?.content ?? {}).includes("text/event-stream");
  const routes: Array<{ method: string; path: string }> = [];
  for (const version of API_VERSIONS) {
    const doc = (await app.inject({ method: "GET", url: `/${version}/openapi.json` })).json();
    routes.push(
      ...Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, ops]) =>
        Object.entries(ops)
          .filter(([, op]) => op.security?.length && op.security.every((r) => Object.keys(r).length > 0))
          .filter(([, op]) => !streams(op))
          .map(([method]) => ({ method: method.toUpperCase(), path })),
      ),
    );
  }
  return routes;
}

/** Everything the organization owns, to compare before and after: what must not change. */
export async function snapshotOf(db: Db, orgId: string) {
  const rows = async (
    table:
      | "clients"
      | "projects"
      | "tasks"
      | "tags"
      | "invitations"
      | "sessions"
      | "oauth_apps"
      | "oauth_grants",
  ) =>
    (await sql`SELECT * FROM ${sql.table(table)} WHERE organization_id = ${orgId} ORDER BY id`.execute(db))
      .rows;
  return {
    organization: await db.selectFrom("organizations").selectAll().where("id", "=", orgId).execute(),
    memberships: await db
      .selectFrom("memberships")
      .selectAll()
      .where("organization_id", "=", orgId)
      .orderBy("user_id")
      .execute(),
    users: await db
      .selectFrom("users")
      .select(["id", "email", "name", "password_hash", "updated_at"])
      .where("id", "in", db.selectFrom("memberships").select("user_id").where("organization_id", "=", orgId))
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
      .where("organization_id", "=", orgId)
      .orderBy("id")
      .execute(),
    settings: await db
      .selectFrom("organization_settings")
      .selectAll()
      .where("organization_id", "=", orgId)
      .execute(),
    timeEntries: await db
      .selectFrom("time_entries")
      .selectAll()
      .where("organization_id", "=", orgId)
      .orderBy("id")
      .execute(),
    clients: await rows("clients"),
    projects: await rows("projects"),
    tasks: await rows("tasks"),
    tags: await rows("tags"),
    webhooks: await db
      .selectFrom("webhooks")
      .select(["id", "url", "events", "description", "enabled", "secret", "previous_secret"])
      .where("organization_id", "=", orgId)
      .orderBy("id")
      .execute(),
    invitations: await rows("invitations"),
    sessions: await rows("sessions"),
    oauthApps: await rows("oauth_apps"),
    oauthGrants: await rows("oauth_grants"),
  };
}
