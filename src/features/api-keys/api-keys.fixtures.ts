import type { FastifyInstance } from "fastify";
import { expect } from "vitest";
import type { TestApp } from "../../../test/helpers/app.js";
import { call } from "../../../test/helpers/fixtures.js";
import { hashPassword } from "../../platform/auth/passwords.js";
import type { Role } from "../../platform/db/schema.js";
import { newId } from "../../platform/ids.js";

export interface CreatedKey {
  id: string;
  secret: string;
  [field: string]: unknown;
}

/** Creates a key through the API and returns the 201 body's data (with its secret). */
export async function createKey(
  app: FastifyInstance,
  token: string,
  body: Record<string, unknown> = {},
): Promise<CreatedKey> {
  const res = await call(app, token, {
    method: "POST",
    url: "/v1/api-keys",
    payload: { name: "Test key", scopes: ["read"], ...body },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data;
}

let members = 0;

/**
 * Adds a user with `role` to an organization and signs them in. Written to the database directly
 * because `POST /v1/users` belongs to another feature; the login is through the API.
 */
export async function addMember(t: TestApp, orgId: string, role: Role) {
  members += 1;
  const userId = newId("user");
  const email = `member${members}-${Date.now()}@example.com`;
  const password = "correct horse battery";
  await t.db
    .insertInto("users")
    .values({ id: userId, email, name: `Member ${members}`, password_hash: await hashPassword(password) })
    .execute();
  await t.db.insertInto("memberships").values({ organization_id: orgId, user_id: userId, role }).execute();
  const res = await t.app.inject({
    method: "POST",
    url: "/v1/auth/login",
    payload: { email, password, organization_id: orgId },
  });
  expect(res.statusCode, res.body).toBe(200);
  return { userId, accessToken: res.json().data.access_token as string };
}

export const me = (app: FastifyInstance, token: string) =>
  call(app, token, { method: "GET", url: "/v1/auth/me" });
