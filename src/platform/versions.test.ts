import { Type } from "@sinclair/typebox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/helpers/app.js";
import { type Account, call, expectError, registerAccount } from "../../test/helpers/fixtures.js";
import { buildApp } from "../app.js";
import { loadConfig } from "./config.js";
import { connect } from "./db/connection.js";

/** SPEC §8 versioning: /v1 stable, /v2 beta from the same code; one header says which answered. */
let t: TestApp;
let owner: Account;
beforeAll(async () => {
  t = await createTestApp();
  owner = await registerAccount(t.app);
});
afterAll(() => t.close());

const get = (url: string, token = owner.accessToken) => call(t.app, token, { method: "GET", url });

describe("versions", () => {
  it("X-API-Version is on every response: the version of the path, v1 elsewhere", async () => {
    expect((await get("/v1/tags")).headers["x-api-version"]).toBe("v1");
    expect((await get("/v2/tags")).headers["x-api-version"]).toBe("v2");
    expect((await t.app.inject({ method: "GET", url: "/health" })).headers["x-api-version"]).toBe("v1");
    const unknown = await get("/v9/tags");
    expectError(unknown, 404, "NOT_FOUND");
    expect(unknown.headers["x-api-version"]).toBe("v1");
  });

  it("the same resources answer in both versions; a v2 list pages by cursor only", async () => {
    const names = [];
    for (let i = 0; i < 5; i++) {
      const res = await call(t.app, owner.accessToken, {
        method: "POST",
        url: "/v2/tags",
        payload: { name: `both-${i}-${Date.now()}` },
      });
      expect(res.statusCode).toBe(201);
      names.push(res.json().data.name);
    }
    const v1 = await get("/v1/tags?per_page=100");
    expect(v1.json().pagination.total).toBe(5);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(`/v2/tags?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      const body = res.json();
      expect(Object.keys(body).sort()).toEqual(["data", "has_more", "metadata", "next_cursor"]);
      seen.push(...body.data.map((tag: { name: string }) => tag.name));
      cursor = body.next_cursor;
      expect(body.has_more).toBe(cursor !== null);
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...names].sort());
    for (const query of [
      "offset=2",
      "page=2",
      "per_page=2",
      "starting_after=tag_01JD6V7W9Q3E4R5T6Y7V8K9M0P",
    ]) {
      const refused = await get(`/v2/tags?${query}`);
      expect(expectError(refused, 400, "VALIDATION_ERROR").details?.reason, query).toBe("unknown_field");
    }
  });

  it("a keyset list (time entries by start) pages by the last id; a forged cursor is a 400", async () => {
    for (let i = 0; i < 3; i++) {
      await call(t.app, owner.accessToken, {
        method: "POST",
        url: "/v1/time-entries",
        payload: { start: `2024-01-0${i + 1}T09:00:00Z`, duration: 60 },
      });
    }
    const first = (await get("/v2/time-entries?limit=2")).json();
    expect(first.data).toHaveLength(2);
    const decoded = JSON.parse(Buffer.from(first.next_cursor, "base64url").toString());
    expect(decoded).toEqual({ a: first.data[1].id });
    const second = (await get(`/v2/time-entries?limit=2&cursor=${first.next_cursor}`)).json();
    expect(second.data.map((e: { start: string }) => e.start)).toEqual(["2024-01-01T09:00:00Z"]);
    expect(second.next_cursor).toBeNull();
    for (const bad of [
      "nonsense",
      Buffer.from('{"o":-1}').toString("base64url"),
      Buffer.from("[]").toString("base64url"),
    ]) {
      const res = await get(`/v2/time-entries?cursor=${bad}`);
      expect(expectError(res, 400, "VALIDATION_ERROR").details).toMatchObject({ field: "cursor" });
    }
  });

  it("each version has its own OpenAPI document, and /docs offers both", async () => {
    const v1 = (await t.app.inject({ method: "GET", url: "/v1/openapi.json" })).json();
    const v2 = (await t.app.inject({ method: "GET", url: "/v2/openapi.json" })).json();
    expect(v1.info.version).toBe("1.0.0");
    expect(v2.info.version).toBe("2.0.0-beta");
    expect(Object.keys(v1.paths).some((p) => p.startsWith("/v2/"))).toBe(false);
    expect(Object.keys(v2.paths).some((p) => p.startsWith("/v1/"))).toBe(false);
    expect(v2.paths["/v2/time-entries/bulk"]).toBeDefined();
    expect(v1.paths["/v1/time-entries/bulk"]).toBeUndefined();
    const config = await t.app.inject({ method: "GET", url: "/docs/json" });
    expect(config.statusCode).toBeLessThan(500);
    const initializer = await t.app.inject({ method: "GET", url: "/docs/static/swagger-initializer.js" });
    expect(initializer.body).toContain("/v2/openapi.json");
  });
});

describe("retiring a route", () => {
  it("a route declared deprecated answers with Deprecation, Sunset and Link, and says so in OpenAPI", async () => {
    const database = connect("postgres://none@127.0.0.1:1/none", { max: 1 });
    const app = await buildApp({
      config: loadConfig({ LOG_LEVEL: "silent", VOLTASIS_WORKERS: "off" }),
      database,
    });
    app.get(
      "/v1/retired-example",
      {
        config: {
          access: "public",
          deprecation: {
            since: new Date("2026-01-01T00:00:00Z"),
            sunset: new Date("2026-07-01T00:00:00Z"),
            link: "https://example.com/changelog#retired",
          },
        },
        schema: {
          operationId: "retiredExample.retrieve",
          summary: "Retired",
          response: { 200: Type.Object({}) },
        },
      },
      async () => ({}),
    );
    await app.ready();
    try {
      const res = await app.inject({ method: "GET", url: "/v1/retired-example" });
      expect(res.headers.deprecation).toBe("@1767225600");
      expect(res.headers.sunset).toBe("Wed, 01 Jul 2026 00:00:00 GMT");
      expect(res.headers.link).toBe('<https://example.com/changelog#retired>; rel="deprecation"');
      const doc = (await app.inject({ method: "GET", url: "/v1/openapi.json" })).json();
      expect(doc.paths["/v1/retired-example"].get.deprecated).toBe(true);
    } finally {
      await app.close();
      await database.close();
    }
  });
});
