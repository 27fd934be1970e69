import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/helpers/app.js";
import { expectError, registerAccount } from "../../test/helpers/fixtures.js";
import { asResponse, rawExchange } from "../../test/helpers/raw-http.js";
import { buildApp } from "../app.js";
import { loadConfig } from "./config.js";
import { connect } from "./db/connection.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const register = (payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: "POST",
    url: "/v1/auth/register",
    headers: { "content-type": "application/json", ...headers },
    payload: typeof payload === "string" ? payload : JSON.stringify(payload),
  });
const valid = { email: "e@example.com", password: "long enough", name: "E", organization_name: "O" };

async function userCount() {
  const row = await t.db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe("SPEC §2 on the framework's own errors: never Fastify's default shape", () => {
  it("unknown route → 404 NOT_FOUND", async () => {
    const res = await t.app.inject({ method: "GET", url: "/v1/nope" });
    expect(expectError(res, 404, "NOT_FOUND").details).toEqual({ reason: "unknown_route" });
  });

  it("unknown API version → 404 with a clear message (SPEC §8)", async () => {
    const res = await t.app.inject({ method: "GET", url: "/v3/projects" });
    const error = expectError(res, 404, "NOT_FOUND");
    expect(error.message).toBe("API version v3 is not available; the versions are v1 and v2 (beta)");
    expect(error.details).toEqual({ reason: "unknown_version" });
  });

  it("malformed JSON → 400 INVALID_REQUEST", async () => {
    const error = expectError(await register('{"email": '), 400, "INVALID_REQUEST");
    expect(error.details).toEqual({ reason: "malformed_json" });
  });

  it("an empty JSON body is no body: 400 where the route needs one", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/auth/login",
      headers: { "content-type": "application/json" },
    });
    expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({
      field: "body",
      reason: "invalid_type",
    });
  });

  it("unsupported media type → 415 in the error envelope", async () => {
    const res = await register("email=a", { "content-type": "application/x-www-form-urlencoded" });
    expect(expectError(res, 415, "INVALID_REQUEST").details).toEqual({ reason: "unsupported_media_type" });
  });

  it("body over 1 MiB → 413 PAYLOAD_TOO_LARGE and nothing written", async () => {
    const before = await userCount();
    const res = await register({ ...valid, name: "x".repeat(1_100_000) });
    expect(expectError(res, 413, "PAYLOAD_TOO_LARGE").details).toMatchObject({ reason: "body_too_large" });
    expect(await userCount()).toBe(before);
  });

  it("unknown body field → 400 VALIDATION_ERROR naming it, nothing written", async () => {
    const before = await userCount();
    const error = expectError(await register({ ...valid, role: "owner" }), 400, "VALIDATION_ERROR");
    expect(error.details).toEqual({ field: "role", reason: "unknown_field", location: "body" });
    expect(await userCount()).toBe(before);
  });

  it("missing field → 400 naming it", async () => {
    const { password: _, ...rest } = valid;
    const error = expectError(await register(rest), 400, "VALIDATION_ERROR");
    expect(error).toMatchObject({
      message: "password is required",
      details: { field: "password", reason: "required" },
    });
  });

  it("bad value → 400 naming the field and the reason", async () => {
    const error = expectError(await register({ ...valid, email: "not-an-email" }), 400, "VALIDATION_ERROR");
    expect(error.details).toMatchObject({ field: "email", reason: "invalid_format" });
    const short = expectError(await register({ ...valid, password: "short" }), 400, "VALIDATION_ERROR");
    expect(short.details).toMatchObject({ field: "password", reason: "invalid_length" });
    const typed = expectError(await register({ ...valid, name: 42 }), 400, "VALIDATION_ERROR");
    expect(typed.details).toMatchObject({ field: "name", reason: "invalid_type" });
  });

  it("duplicate e-mail → 409 CONFLICT", async () => {
    const account = await registerAccount(t.app);
    const error = expectError(
      await register({ ...valid, email: account.email.toUpperCase() }),
      409,
      "CONFLICT",
    );
    expect(error.details).toEqual({ reason: "email_taken", field: "email" });
  });

  it("an unexpected failure → 500 INTERNAL_ERROR without stack trace or SQL", async () => {
    await t.db.schema.alterTable("sessions").renameTo("sessions_moved").execute();
    try {
      const res = await register({ ...valid, email: "boom@example.com" });
      const error = expectError(res, 500, "INTERNAL_ERROR");
      expect(error.details).toBeUndefined();
      expect(res.body).not.toMatch(/sessions|relation|at .*\.ts|SELECT|INSERT/i);
      // The failed registration left nothing behind: the user insert rolled back with it.
      const rows = await t.db
        .selectFrom("users")
        .select("id")
        .where("email", "=", "boom@example.com")
        .execute();
      expect(rows).toEqual([]);
    } finally {
      await t.db.schema.alterTable("sessions_moved").renameTo("sessions").execute();
    }
  });
});

describe("text PostgreSQL cannot store (NUL, unpaired surrogates) → 400 naming the field, nothing written", () => {
  const refused = async (res: Awaited<ReturnType<typeof register>>, field: string, location: string) => {
    const error = expectError(res, 400, "VALIDATION_ERROR");
    expect(error.details).toEqual({ field, reason: "invalid_characters", location });
  };

  it.each([
    [
      "NUL in a body field",
      '{"email":"n@example.com","password":"long enough","name":"a\\u0000b","organization_name":"O"}',
      "name",
    ],
    [
      "an unpaired high surrogate",
      '{"email":"s@example.com","password":"long enough","name":"E","organization_name":"\\ud800"}',
      "organization_name",
    ],
    [
      "an unpaired low surrogate",
      '{"email":"l@example.com","password":"long enough","name":"x\\udfffy","organization_name":"O"}',
      "name",
    ],
    [
      "NUL in a key",
      '{"email":"k@example.com","password":"long enough","name":"E","organization_name":"O","\\u0000":1}',
      "\u0000",
    ],
  ])("%s", async (_case, body, field) => {
    const before = await userCount();
    await refused(await register(body), field, "body");
    expect(await userCount()).toBe(before);
  });

  it("at any depth of the body, named by its path", async () => {
    const account = await registerAccount(t.app);
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/jobs",
      headers: { authorization: `Bearer ${account.accessToken}` },
      payload: { type: "import.time_entries", params: { csv: "start,end\n2024-01-01T00:00:00Z,\u0000" } },
    });
    await refused(res, "params.csv", "body");
  });

  it("in the query string and in path parameters", async () => {
    const account = await registerAccount(t.app);
    const get = (url: string) =>
      t.app.inject({ method: "GET", url, headers: { authorization: `Bearer ${account.accessToken}` } });
    await refused(await get("/v1/events?resource_id=a%00b"), "resource_id", "querystring");
    await refused(await get("/v1/clients/%00"), "id", "params");
  });

  it("a surrogate pair (an emoji) is text like any other", async () => {
    const res = await register({ ...valid, email: "emoji@example.com", name: "Ada \u{1F600}" });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().data.user.name).toBe("Ada \u{1F600}");
  });
});

describe("values the database refuses (SQLSTATE class 22) are the request's fault: 400, not 500", () => {
  // Schemas bound what they know; to reach the backstop, the columns are narrowed for a moment.
  it.each([
    [
      "22003, a number beyond the column's type",
      "projects",
      "hourly_rate",
      "smallint",
      "integer",
      "out_of_range",
    ],
    ["22001, text longer than the column", "tags", "name", "varchar(3)", "text", "too_long"],
  ])(
    "%s → 400 INVALID_REQUEST with the reason, no SQL",
    async (_case, table, column, narrow, wide, reason) => {
      const account = await registerAccount(t.app);
      const url = table === "projects" ? "/v1/projects" : "/v1/tags";
      const payload = table === "projects" ? { name: "Big rate", hourly_rate: 100_000 } : { name: "Long" };
      const alter = (type: string) =>
        sql.raw(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE ${type}`).execute(t.db);
      await alter(narrow);
      try {
        const res = await t.app.inject({
          method: "POST",
          url,
          headers: { authorization: `Bearer ${account.accessToken}` },
          payload,
        });
        expect(expectError(res, 400, "INVALID_REQUEST").details).toEqual({ reason });
        expect(res.body).not.toMatch(/smallint|character varying|SELECT|INSERT|at \//i);
      } finally {
        await alter(wide);
      }
    },
  );
});

describe("errors raised before routing answer in the envelope too", () => {
  it("a path parameter longer than any id → 414 uri_too_long", async () => {
    const res = await t.app.inject({ method: "GET", url: `/v1/clients/${"x".repeat(10_000)}` });
    expect(expectError(res, 414, "INVALID_REQUEST").details).toEqual({ reason: "uri_too_long" });
  });

  it("a path that is not percent-encoded UTF-8 → 400 malformed_url", async () => {
    for (const url of ["/v1/clients/%E0%A4%A", "/v1/clients/%ED%A0%80"]) {
      const res = await t.app.inject({ method: "GET", url });
      expect(expectError(res, 400, "INVALID_REQUEST").details).toEqual({ reason: "malformed_url" });
    }
  });
});

describe("what Node's HTTP parser refuses, over a real socket: the envelope, and the server lives on", () => {
  let port: number;
  beforeAll(async () => {
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    port = (t.app.server.address() as AddressInfo).port;
  });

  const login = (headers: string, body = "") =>
    `POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${headers}\r\n${body}`;

  const get = (path: string, headers = "") => `GET ${path} HTTP/1.1\r\nHost: x\r\n${headers}\r\n`;
  it.each([
    {
      name: "a URL over the header limit",
      status: 414,
      reason: "uri_too_long",
      request: get(`/v1/clients?q=${"x".repeat(20_000)}`),
    },
    {
      name: "headers over the limit",
      status: 431,
      reason: "headers_too_large",
      request: get("/health", `X-Big: ${"x".repeat(20_000)}\r\n`),
    },
    {
      name: "a Content-Length that is no number",
      status: 400,
      reason: "invalid_content_length",
      request: login("Content-Length: abc\r\n", "{}"),
    },
    {
      name: "two different Content-Lengths",
      status: 400,
      reason: "invalid_content_length",
      request: login("Content-Length: 2\r\nContent-Length: 3\r\n", "{}"),
    },
    {
      name: "a malformed chunk",
      status: 400,
      reason: "malformed_request",
      request: login("Transfer-Encoding: chunked\r\n", "zz\r\n{}\r\n0\r\n\r\n"),
    },
    {
      name: "an unknown method",
      status: 400,
      reason: "unknown_method",
      request: "FOO /health HTTP/1.1\r\nHost: x\r\n\r\n",
    },
    {
      name: "an unknown HTTP version",
      status: 400,
      reason: "malformed_request",
      request: "GET /health HTTP/9.9\r\nHost: x\r\n\r\n",
    },
    { name: "a space in the URL", status: 400, reason: "malformed_request", request: get("/v1/cli ents") },
    {
      name: "NUL in a header",
      status: 400,
      reason: "malformed_request",
      request: get("/health", "X-Request-ID: a\u0000b\r\n"),
    },
    {
      name: "no Host in HTTP/1.1",
      status: 400,
      reason: "missing_host",
      request: "GET /health HTTP/1.1\r\n\r\n",
    },
    {
      name: "CONNECT",
      status: 400,
      reason: "unsupported_method",
      request: "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
    },
  ])("$name → $status $reason", async ({ request, status, reason }) => {
    const error = expectError(asResponse(await rawExchange(port, request)), status, "INVALID_REQUEST");
    expect(error.details).toEqual({ reason });
  });

  it("a body cut short, then the client half-closes → 400 incomplete_body", async () => {
    const answer = await rawExchange(port, login("Content-Length: 1000\r\n", '{"email":"'), "half-close");
    expect(expectError(asResponse(answer), 400, "INVALID_REQUEST").details).toEqual({
      reason: "incomplete_body",
    });
  });

  it("a body cut short, then the client hangs up: nobody to answer, and the server serves the next one", async () => {
    expect(await rawExchange(port, login("Content-Length: 1000\r\n", '{"email":"'), "close")).toBeNull();
    expect((await rawExchange(port, get("/health")))?.status).toBe(200);
  });

  it("methods HTTP knows but no route has (PROPFIND, TRACE, PUT on a GET path) → 404 in the envelope", async () => {
    for (const method of ["PROPFIND", "TRACE", "PUT"]) {
      const answer = await rawExchange(
        port,
        `${method} /health HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`,
      );
      expect(expectError(asResponse(answer), 404, "NOT_FOUND").details).toEqual({ reason: "unknown_route" });
    }
  });
});

describe("health and readiness", () => {
  it("/health, /ready and /v1/status answer without authentication", async () => {
    for (const url of ["/health", "/ready", "/v1/status"]) {
      const res = await t.app.inject({ method: "GET", url });
      expect(res.statusCode).toBe(200);
      expect(res.json().data.status).toBe("ok");
    }
  });

  it("with the database unreachable: /ready and API calls answer 503 SERVICE_UNAVAILABLE with Retry-After", async () => {
    const database = connect("postgres://nobody@127.0.0.1:1/none");
    const app = await buildApp({ config: loadConfig({ LOG_LEVEL: "silent" }), database });
    try {
      const ready = await app.inject({ method: "GET", url: "/ready" });
      expect(expectError(ready, 503, "SERVICE_UNAVAILABLE").details).toMatchObject({
        reason: "database_unavailable",
      });
      expect(ready.headers["retry-after"]).toBe("5");
      expect((await app.inject({ method: "GET", url: "/health" })).statusCode).toBe(200);
      const res = await app.inject({
        method: "POST",
        url: "/v1/auth/login",
        payload: { email: "a@b.co", password: "x" },
      });
      expectError(res, 503, "SERVICE_UNAVAILABLE");
      expect(res.headers["retry-after"]).toBe("5");
    } finally {
      await app.close();
      await database.close();
    }
  });
});

describe("OpenAPI", () => {
  it("serves an OpenAPI 3.1 document generated from the route schemas, and /docs", async () => {
    const res = await t.app.inject({ method: "GET", url: "/v1/openapi.json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe("3.1.0");
    const me = doc.paths["/v1/auth/me"].get;
    expect(me.security).toEqual([{ bearerAuth: [] }, { oauth2: [] }]);
    expect(me.responses["401"]).toBeDefined();
    expect(doc.components.schemas.ErrorEnvelope).toBeDefined();
    const docs = await t.app.inject({ method: "GET", url: "/docs/" });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers["content-type"]).toMatch(/text\/html/);
  });
});
