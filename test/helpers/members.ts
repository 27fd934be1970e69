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
  password: string;
  /** The session the acceptance answered with, in the organization joined. */
  accessToken: string;
  refreshToken: string;
}

const DEFAULT_PASSWORD = "member password 123";

/** POST /v1/users as `token`: an invitation; returns its data, token included. Throws unless 201. */
export async function invite(
  app: FastifyInstance,
  token: string,
  body: { email: string; role: string; hourly_rate?: number | null },
  headers: Record<string, string> = {},
) {
  const res = await call(app, token, { method: "POST", url: "/v1/users", payload: body, headers });
  if (res.statusCode !== 201) throw new Error(`invite failed: ${res.statusCode} ${res.body}`);
  return res.json().data as { id: string; token: string; invitation_url: string; email: string };
}

/** POST /v1/invitations/accept, as the signed-in user `asToken` or (null) as a new account. */
export function accept(
  app: FastifyInstance,
  invitationToken: string,
  asToken: string | null,
  body: { name?: string; password?: string } = {},
) {
  return call(app, asToken, {
    method: "POST",
    url: "/v1/invitations/accept",
    payload: { token: invitationToken, ...body },
  });
}

function accepted(res: { statusCode: number; body: string; json(): unknown }) {
  if (res.statusCode !== 201) throw new Error(`accept failed: ${res.statusCode} ${res.body}`);
  const data = (res.json() as { data: { user: { id: string }; access_token: string; refresh_token: string } })
    .data;
  return { id: data.user.id, accessToken: data.access_token, refreshToken: data.refresh_token };
}

/** A new person joins the organization of `token`: invited, then accepting with a new account. */
export async function addMember(
  app: FastifyInstance,
  token: string,
  body: { role?: string; email?: string; name?: string; password?: string } = {},
  headers: Record<string, string> = {},
): Promise<AddedMember> {
  const email = body.email ?? newEmail(body.role);
  const password = body.password ?? DEFAULT_PASSWORD;
  const invitation = await invite(app, token, { email, role: body.role ?? "member" }, headers);
  const res = await accept(app, invitation.token, null, { name: body.name ?? "New Member", password });
  return { email, password, ...accepted(res) };
}

/** An existing account joins the organization of `token`: invited, then accepting while signed in. */
export async function addExistingAccount(
  app: FastifyInstance,
  token: string,
  account: { email: string; accessToken: string },
  role: string,
): Promise<{ id: string; accessToken: string; refreshToken: string }> {
  const invitation = await invite(app, token, { email: account.email, role });
  return accepted(await accept(app, invitation.token, account.accessToken));
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

/** Adds a member with a password, signed in to the organization (the acceptance's session). */
export async function memberWithToken(app: FastifyInstance, ownerToken: string, role: string) {
  return addMember(app, ownerToken, { role });
}
