import { expect } from "vitest";
import type { TestApp } from "./app.js";
import { type Account, call } from "./fixtures.js";

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Tables whose rows belong to one organization and are created through the API. */
export type OrganizationTable = "clients" | "projects" | "tasks" | "tags" | "time_entries";

/**
 * Requests and row checks on behalf of one account. The app and the account are passed as
 * getters because test files create them in `beforeAll`, after this is called at module level.
 */
export function ownerApi(getT: () => TestApp, getOwner: () => Account) {
  /** Sends as the account unless another token is given. */
  function api(method: Method, url: string, payload?: unknown, token?: string) {
    return call(getT().app, token ?? getOwner().accessToken, { method, url, payload: payload as object });
  }

  /** POSTs `body` to `url`, fails the test unless it is a 201, and returns the created data. */
  async function create(url: string, body: Record<string, unknown>, token?: string) {
    const res = await api("POST", url, body, token);
    expect(res.statusCode, res.body).toBe(201);
    return res.json().data;
  }

  /** The organization's rows of `table` and its event count, to show a refused write changed neither. */
  async function snapshot(table: OrganizationTable) {
    const { db } = getT();
    const orgId = getOwner().orgId;
    const rows = await db
      .selectFrom(table)
      .selectAll()
      .where("organization_id", "=", orgId)
      .orderBy("id")
      .execute();
    const events = await db.selectFrom("events").select("id").where("organization_id", "=", orgId).execute();
    return { rows, events: events.length };
  }

  /** Every event about one resource, oldest first. */
  const eventsOf = (id: string) =>
    getT().db.selectFrom("events").selectAll().where("resource_id", "=", id).orderBy("id").execute();

  return { api, create, snapshot, eventsOf };
}
