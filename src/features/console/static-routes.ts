import { existsSync } from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyPluginAsync } from "fastify";
import { acceptsHtml } from "../../platform/accepts.js";

/** Where `npm install` (the root `prepare`) builds the console: `console/dist`. */
export const CONSOLE_DIST = path.resolve(import.meta.dirname, "../../../console/dist");

// Paths that belong to the API and its documents: a browser navigating there gets their answer
// (an unknown one keeps the API's 404 envelope), never the console's page.
const NOT_CONSOLE = /^\/(v\d+|docs|health|ready|\.well-known|oauth|console|assets)(\/|$)/;
// …except the consent screen: `GET /oauth/authorize` sends the browser there (src/features/oauth).
const CONSOLE_UNDER_API = new Set(["/oauth/consent"]);

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Voltasis console not built</title></head>
<body><h1>The Voltasis console is not built</h1>
<p>The API works (<a href="/docs">API reference</a>), but the web console's files are missing from
<code>console/dist</code>. Run <code>npm install</code> (it builds the console), or
<code>npm run build -w @voltasis/console</code>, then reload this page.</p></body></html>
`;

/**
 * The console's files. Vite names every asset after its content hash, so `/assets/*` is cached for a
 * year and never revalidated; `index.html` names the current assets, so it is revalidated on every
 * load (`no-cache` with an ETag). Every other GET that a browser navigates to (Accept: text/html)
 * outside the API's paths gets `index.html`, whose router shows the screen (history routing).
 */
export const consoleStaticRoutes: FastifyPluginAsync<{ distDir: string }> = async (app, { distDir }) => {
  const built = existsSync(path.join(distDir, "index.html"));
  if (built) await app.register(fastifyStatic, { root: distDir, serve: false });

  app.get<{ Params: { "*": string } }>(
    "/assets/*",
    // staticAsset: a page view loads several of these; they are not API traffic to rate-limit.
    { config: { access: "public", staticAsset: true }, schema: { hide: true } },
    (request, reply) => {
      if (!built) return reply.callNotFound();
      return reply.sendFile(`assets/${request.params["*"]}`, { maxAge: YEAR_MS, immutable: true });
    },
  );

  app.get("/*", { config: { access: "public" }, schema: { hide: true } }, (request, reply) => {
    const pathname = request.url.split("?")[0] ?? "/";
    const consolePath = CONSOLE_UNDER_API.has(pathname) || !NOT_CONSOLE.test(pathname);
    if (!consolePath || !acceptsHtml(request)) return reply.callNotFound();
    if (!built) return reply.code(503).header("Cache-Control", "no-store").type("text/html").send(NOT_BUILT);
    reply.header("Cache-Control", "no-cache");
    return reply.sendFile("index.html", { cacheControl: false });
  });
};
