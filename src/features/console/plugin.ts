import type { FastifyPluginAsync } from "fastify";
import { setConsoleSecurityHeaders } from "./security-headers.js";
import { type ConsoleSessionDeps, consoleSessionRoutes, SESSION_PATH } from "./session-routes.js";
import { CONSOLE_DIST, consoleStaticRoutes } from "./static-routes.js";

/**
 * The web console at `/` (SPEC §9): its built files (console/dist) and the session endpoints its
 * sign-in uses. Everything the console shows comes from the API through @voltasis/sdk.
 */
export const consolePlugin: FastifyPluginAsync<ConsoleSessionDeps & { distDir?: string }> = async (
  app,
  { distDir = CONSOLE_DIST, ...deps },
) => {
  // Encapsulated: the headers reach the console's responses only, not the API's or /docs'.
  app.addHook("onRequest", async (_request, reply) => setConsoleSecurityHeaders(reply));
  await app.register(consoleSessionRoutes, { prefix: SESSION_PATH, ...deps });
  await app.register(consoleStaticRoutes, { distDir });
};
