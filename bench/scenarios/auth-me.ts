import { randomBytes } from "node:crypto";
import { alternate, type Bench, compare, measure, postJson, type Row } from "../harness.js";

/**
 * The real route answers from the authenticator's cache (at most 0.9 s old) and batches
 * last_used_at, so in steady state it does no SQL per request. Its limit is therefore a bare route
 * answering the same body from an in-memory map keyed by the Authorization header: no database,
 * hooks, rate limit, request log or log line.
 */
export async function run(bench: Bench): Promise<Row> {
  const secret = await createApiKey(bench.realUrl);
  const authorization = `Bearer ${secret}`;
  const me = await fetch(`${bench.realUrl}/v1/auth/me`, { headers: { authorization } });
  if (!me.ok) throw new Error(`GET /v1/auth/me: ${me.status} ${await me.text()}`);
  const bodies = new Map([[authorization, await me.text()]]);
  const floorUrl = await bench.startFloor((app) => {
    app.get("/v1/auth/me", async (request, reply) => {
      const body = bodies.get(request.headers.authorization ?? "");
      if (!body) return reply.code(401).send();
      return reply.type("application/json").send(body);
    });
  });
  const request = { headers: { authorization } };
  const { real, floor } = await alternate(
    () => measure(`${bench.realUrl}/v1/auth/me`, request),
    () => measure(`${floorUrl}/v1/auth/me`, request),
  );
  return compare("GET /v1/auth/me (key) vs in-memory floor", real, floor, 0.5);
}

export async function createApiKey(baseUrl: string, scopes: string[] = ["read"]): Promise<string> {
  const account = await postJson(`${baseUrl}/v1/auth/register`, {
    // Unique, so that a run against BENCH_DATABASE_URL can be repeated.
    email: `bench-${randomBytes(6).toString("hex")}@example.com`,
    password: "correct horse battery",
    name: "Bench",
    organization_name: "Bench",
  });
  const { access_token } = account.data as { access_token: string };
  const key = await postJson(`${baseUrl}/v1/api-keys`, { name: "bench", scopes }, access_token);
  return (key.data as { secret: string }).secret;
}
