import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app.js";
import { expectError } from "../../../test/helpers/fixtures.js";
import { CONSOLE_CSP } from "./security-headers.js";
import { CONSOLE_DIST, consoleStaticRoutes } from "./static-routes.js";

const html = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };

let t: TestApp;
let script: string;
beforeAll(async () => {
  if (!existsSync(path.join(CONSOLE_DIST, "index.html"))) {
    throw new Error("console/dist is missing: run `npm install` or `npm run build -w @voltasis/console`");
  }
  // The entry script, as the build named it (other chunks load later, by import()).
  const entry = /src="\/assets\/([^"]+\.js)"/.exec(
    readFileSync(path.join(CONSOLE_DIST, "index.html"), "utf8"),
  );
  script = entry?.[1] as string;
  t = await createTestApp({ VOLTASIS_UNAUTHENTICATED_LIMIT: "50" });
});
afterAll(() => t.close());

describe("the console at /", () => {
  it("serves index.html at / with a strict CSP, revalidated on every load", async () => {
    const res = await t.app.inject({ method: "GET", url: "/", headers: html });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.body).toContain('<div id="root"></div>');
    expect(res.body).toContain(`/assets/${script}`);
    // No inline script: every <script> names a file of its own.
    expect(res.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(res.headers["content-security-policy"]).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("default-src 'self'");
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain("unsafe-inline");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(CONSOLE_CSP).toContain("base-uri 'none'");
    expect(CONSOLE_CSP).toContain("object-src 'none'");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["referrer-policy"]).toBe("no-referrer");
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.headers.etag).toBeDefined();
    const again = await t.app.inject({
      method: "GET",
      url: "/",
      headers: { ...html, "if-none-match": res.headers.etag as string },
    });
    expect(again.statusCode).toBe(304);
  });

  it("answers a browser's navigation to a console screen with index.html (history routing)", async () => {
    for (const url of [
      "/time",
      "/api-keys",
      "/webhooks?tab=deliveries",
      "/accept-invitation",
      // Under /oauth, but the console's: where /oauth/authorize sends the browser.
      "/oauth/consent?request=oar_01JD6V7W9Q3E4R5T6Y7Z8H9K0P",
    ]) {
      const res = await t.app.inject({ method: "GET", url, headers: html });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('<div id="root"></div>');
    }
  });

  it("keeps the API's 404 envelope for unknown API paths, even when a browser asks", async () => {
    for (const url of [
      "/v1/nothing-here",
      "/v2/nothing-here",
      "/docs/nothing-here",
      "/console/session",
      "/oauth/nothing-here",
      "/oauth/consent/more",
    ]) {
      const res = await t.app.inject({ method: "GET", url, headers: html });
      expectError(res, 404, "NOT_FOUND");
    }
    // A non-browser client asking for a path outside the API also gets the envelope, not a page.
    expectError(await t.app.inject({ method: "GET", url: "/time" }), 404, "NOT_FOUND");
    expectError(await t.app.inject({ method: "POST", url: "/time", headers: html }), 404, "NOT_FOUND");
  });

  it("leaves the API, /docs and /health as they were", async () => {
    const health = await t.app.inject({ method: "GET", url: "/health", headers: html });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ data: { status: "ok" } });
    const docs = await t.app.inject({ method: "GET", url: "/docs/", headers: html });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers["content-security-policy"]).not.toBe(CONSOLE_CSP);
    const api = await t.app.inject({ method: "GET", url: "/v1/projects", headers: html });
    expectError(api, 401, "UNAUTHORIZED");
  });

  it("caches the hashed assets for a year, and a missing one is a 404", async () => {
    const res = await t.app.inject({ method: "GET", url: `/assets/${script}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/javascript/);
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expectError(await t.app.inject({ method: "GET", url: "/assets/index-missing.js" }), 404, "NOT_FOUND");
  });

  it("does not spend the per-IP rate limit on assets (this app allows 50 unauthenticated requests)", async () => {
    for (let i = 0; i < 60; i++) {
      const res = await t.app.inject({ method: "GET", url: `/assets/${script}`, remoteAddress: "10.9.9.9" });
      expect(res.statusCode).toBe(200);
      expect(res.headers["x-ratelimit-remaining"]).toBeUndefined();
    }
    // The page itself is counted like any public route.
    const page = await t.app.inject({ method: "GET", url: "/", headers: html, remoteAddress: "10.9.9.9" });
    expect(page.headers["x-ratelimit-remaining"]).toBe("49");
  });
});

describe("the console before it is built", () => {
  it("says in plain words how to build it", async () => {
    const emptyDir = await mkdtemp(path.join(os.tmpdir(), "console-dist-"));
    const app = Fastify();
    await app.register(consoleStaticRoutes, { distDir: emptyDir });
    const res = await app.inject({ method: "GET", url: "/", headers: html });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain("npm install");
    expect(res.body).toContain("npm run build -w @voltasis/console");
    expect((await app.inject({ method: "GET", url: "/assets/index.js" })).statusCode).toBe(404);
    await app.close();
    await rm(emptyDir, { recursive: true });
  });
});
