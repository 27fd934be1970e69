import type { FastifyInstance } from "fastify";
import { expect } from "vitest";
import { call } from "../../../test/helpers/fixtures.js";
import type { Db } from "../../platform/db/connection.js";
import { newId } from "../../platform/ids.js";

/**
 * Test arrangements for time entries. Projects, tasks and tags are inserted directly: this
 * feature's tests should not depend on how their own features evolve.
 */
export function timeFixtures(app: FastifyInstance, db: Db) {
  let counter = 0;
  return {
    async project(orgId: string, values: { billable?: boolean; hourly_rate?: number | null } = {}) {
      counter += 1;
      const id = newId("project");
      await db
        .insertInto("projects")
        .values({ id, organization_id: orgId, name: `Project ${counter}`, hourly_rate: null, ...values })
        .execute();
      return id;
    },

    async task(orgId: string, projectId: string) {
      const id = newId("task");
      await db
        .insertInto("tasks")
        .values({
          id,
          organization_id: orgId,
          project_id: projectId,
          title: "A task",
          estimate_seconds: null,
        })
        .execute();
      return id;
    },

    async tag(orgId: string) {
      counter += 1;
      const id = newId("tag");
      await db
        .insertInto("tags")
        .values({ id, organization_id: orgId, name: `tag ${counter}` })
        .execute();
      return id;
    },

    /** POST /v1/time-entries; throws unless it was created. */
    async entry(token: string, body: Record<string, unknown>) {
      const res = await call(app, token, { method: "POST", url: "/v1/time-entries", payload: body });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().data as { id: string; [field: string]: unknown };
    },

    async settings(token: string, body: Record<string, unknown>) {
      const res = await call(app, token, { method: "PATCH", url: "/v1/settings", payload: body });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().data;
    },
  };
}

/** `start` hours after a fixed Monday in the past, as RFC 3339. */
export const at = (hours: number) =>
  new Date(Date.UTC(2024, 0, 1) + hours * 3_600_000).toISOString().replace(".000Z", "Z");
