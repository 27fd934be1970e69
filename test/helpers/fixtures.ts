import type { FastifyInstance, InjectOptions } from "fastify";

let counter = 0;

export interface Account {
  accessToken: string;
  refreshToken: string;
  userId: string;
  orgId: string;
  email: string;
  password: string;
}

/** Registers a new user and organization through the public API. */
export async function registerAccount(
  app: FastifyInstance,
  overrides: Partial<Record<string, string>> = {},
): Promise<Account> {
  counter += 1;
  const body = {
    email: `user${counter}-${Date.now()}@example.com`,
    password: "correct horse battery",
    name: `User ${counter}`,
    organization_name: `Org ${counter}`,
    ...overrides,
  };
  const res = await app.inject({ method: "POST", url: "/v1/auth/register", payload: body });
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
  const data = res.json().data;
  return {
    accessToken: data.access_token,
    refreshToken: data.refresh_token,
    userId: data.user.id,
    orgId: data.organization.id,
    email: body.email,
    password: body.password,
  };
}

export function bearer(token: string) {
  return { authorization: `Bearer ${token}` };
}

/** `app.inject` with a bearer token; JSON payloads as usual. */
export function call(app: FastifyInstance, token: string | null, options: InjectOptions) {
  return app.inject({ ...options, headers: { ...(token ? bearer(token) : {}), ...options.headers } });
}

/** Asserts the SPEC §2 error envelope and returns the error for further checks. */
export function expectError(
  res: { statusCode: number; json(): unknown; headers: Record<string, unknown> },
  status: number,
  code: string,
) {
  const body = res.json() as {
    error?: { code: string; message: string; details?: Record<string, unknown> };
    metadata?: { request_id?: string };
  };
  if (res.statusCode !== status || body?.error?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.statusCode} ${JSON.stringify(body)}`);
  }
  if (
    typeof body.metadata?.request_id !== "string" ||
    res.headers["x-request-id"] !== body.metadata.request_id
  ) {
    throw new Error(
      `error envelope lacks metadata.request_id matching X-Request-ID: ${JSON.stringify(body)}`,
    );
  }
  return body.error as { code: string; message: string; details?: Record<string, unknown> };
}
