import type { FastifyInstance } from "fastify";
import { call } from "./fixtures.js";

let counter = 0;

/** A fresh e-mail address for each call, unique across test files sharing one cluster. */
export function newEmail(label = "member"): string {
  counter += 1;
  return `${label}${counter}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

export interface AddedMember {
  id: string;
  email: string;
  password?: string;
}

/** POST /v1/users as `token`; throws unless the member was added. */
export async function addMember(
  app: FastifyInstance,
  token: string,
  body: { role?: string; email?: string; name?: string; password?: string } = {},
  headers: Record<string, string> = {},
): Promise<AddedMember> {
  const payload = { email: newEmail(body.role), name: "New Member", role: "member", ...body };
  const res = await call(app, token, { method: "POST", url: "/v1/users", payload, headers });
  if (res.statusCode !== 201) throw new Error(`add member failed: ${res.statusCode} ${res.body}`);
  return { id: res.json().data.id, email: payload.email, password: body.password };
}

/** POST /v1/auth/login into the given organization; returns the token pair. */
export async function login(app: FastifyInstance, email: string, password: string, organizationId?: string) {
  const res = await app.inject({
    method: "POST",
    url: "/v1/auth/login",
    payload: { email, password, ...(organizationId ? { organization_id: organizationId } : {}) },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const data = res.json().data;
  return { accessToken: data.access_token as string, refreshToken: data.refresh_token as string };
}

/** Adds a member with a password and signs them in to the organization. */
export async function memberWithToken(app: FastifyInstance, ownerToken: string, orgId: string, role: string) {
  const password = "member password 123";
  const member = await addMember(app, ownerToken, { role, password });
  return { ...member, password, ...(await login(app, member.email, password, orgId)) };
}
