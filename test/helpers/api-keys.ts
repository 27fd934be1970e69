import type { FastifyInstance } from "fastify";
import { expect } from "vitest";
import { call } from "./fixtures.js";

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

export const me = (app: FastifyInstance, token: string) =>
  call(app, token, { method: "GET", url: "/v1/auth/me" });
