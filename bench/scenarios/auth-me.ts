import { randomBytes } from "node:crypto";
import { createIdentityStore } from "../../src/platform/auth/identity-store.js";
import { hashSecret } from "../../src/platform/auth/secrets.js";
import { alternate, type Bench, compare, measure, postJson, type Row } from "../harness.js";

/**
 * The real route answers from the authenticator's cache (≤ 0.9 s old) and batches last_used_at, so
 * in steady state it does no SQL per request; the floor runs the credential lookup on every request.
 */
export async function run(bench: Bench): Promise<Row> {
  const secret = await createApiKey(bench.realUrl);
  const identity = createIdentityStore(bench.database.db);
  const floorUrl = await bench.startFloor((app) => {
    app.get("/v1/auth/me", async (request, reply) => {
      const token = request.headers.authorization?.replace(/^Bearer /, "") ?? "";
      const record = await identity.findApiKey(hashSecret(token));
      if (!record) return reply.code(401).send();
      return { ...record.user, role: record.role, scopes: record.scopes, organization: record.organization };
    });
  });
  const request = { headers: { authorization: `Bearer ${secret}` } };
  const { real, floor } = await alternate(
    () => measure(`${bench.realUrl}/v1/auth/me`, request),
    () => measure(`${floorUrl}/v1/auth/me`, request),
  );
  return compare("GET /v1/auth/me (key)", real, floor);
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
