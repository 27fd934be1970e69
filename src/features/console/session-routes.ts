import fastifyCookie from "@fastify/cookie";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { Principal } from "../../platform/auth/authenticator.js";
import { ok } from "../../platform/envelope.js";
import { ForbiddenError, UnauthorizedError } from "../../platform/errors.js";
import type { FeatureDeps } from "../../platform/feature.js";
import { AcceptInvitationBody, LoginBody, RegisterBody, type TokenResponse } from "../accounts/schemas.js";
import { createAccountService } from "../accounts/service.js";

export const SESSION_PATH = "/console/session";
export const REFRESH_COOKIE = "voltasis_refresh";
/** Sent by the console with every session call: a cross-site form or image cannot add a header. */
export const CONSOLE_HEADER = "x-voltasis-console";

export type ConsoleSessionDeps = Pick<FeatureDeps, "db" | "authenticator" | "config">;

/** What the page receives: the short-lived access token, never the refresh token (HttpOnly cookie). */
export function withoutRefreshToken(tokens: TokenResponse) {
  const { refresh_token: _refresh, refresh_expires_in: _expires, ...session } = tokens;
  return session;
}

/**
 * Cross-site request forgery: the cookie is SameSite=Strict, and every call must also carry the
 * console's header and, when the browser says where it comes from, come from this origin.
 */
function refuseCrossSite(request: FastifyRequest): void {
  if (request.headers[CONSOLE_HEADER] !== "1") {
    throw new ForbiddenError(`Console session calls need the header ${CONSOLE_HEADER}: 1`, {
      reason: "console_header_missing",
    });
  }
  const origin = request.headers.origin;
  const site = request.headers["sec-fetch-site"];
  const ownOrigin = `${request.protocol}://${request.host}`;
  if ((origin !== undefined && origin !== ownOrigin) || (site !== undefined && site !== "same-origin")) {
    throw new ForbiddenError("Console session calls are accepted from the console's own origin only", {
      reason: "cross_origin",
    });
  }
}

/**
 * The console's sign-in, built on the API's own accounts service (SPEC §3: login, refresh with
 * rotation, logout). The refresh token lives in an HttpOnly, SameSite=Strict cookie scoped to these
 * routes, so no script in the page can read it; the page keeps the 24-hour access token in memory
 * and comes back here for a new one after a reload or a 401.
 */
export const consoleSessionRoutes: FastifyPluginAsync<ConsoleSessionDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const accounts = createAccountService(deps);
  await app.register(fastifyCookie);
  app.addHook("onRequest", async (request, reply) => {
    reply.header("Cache-Control", "no-store");
    refuseCrossSite(request);
  });

  const signedIn = (request: FastifyRequest, reply: FastifyReply, tokens: TokenResponse) => {
    reply.setCookie(REFRESH_COOKIE, tokens.refresh_token, {
      httpOnly: true,
      sameSite: "strict",
      path: SESSION_PATH,
      secure: request.protocol === "https",
      maxAge: tokens.refresh_expires_in,
    });
    return ok(request, withoutRefreshToken(tokens));
  };
  const signedOut = (reply: FastifyReply) => reply.clearCookie(REFRESH_COOKIE, { path: SESSION_PATH });
  const principalOf = async (request: FastifyRequest): Promise<Principal | undefined> => {
    const header = request.headers.authorization;
    return header === undefined ? undefined : deps.authenticator.authenticate(header);
  };
  const hidden = { hide: true };

  app.post(
    "/register",
    { config: { access: "public" }, schema: { ...hidden, body: RegisterBody } },
    async (request, reply) => {
      const tokens = await accounts.register(request.body);
      reply.status(201);
      return signedIn(request, reply, tokens);
    },
  );

  app.post(
    "/login",
    // signIn: failed attempts count per e-mail and IP exactly as on /v1/auth/login (SPEC §4).
    { config: { access: "public", signIn: true }, schema: { ...hidden, body: LoginBody } },
    async (request, reply) => signedIn(request, reply, await accounts.login(request.body)),
  );

  app.post(
    "/refresh",
    { config: { access: "public", signIn: true }, schema: hidden },
    async (request, reply) => {
      const refreshToken = request.cookies[REFRESH_COOKIE];
      if (!refreshToken) throw new UnauthorizedError("Not signed in", "no_session");
      try {
        return signedIn(request, reply, await accounts.refresh(refreshToken));
      } catch (error) {
        // A spent, revoked or expired cookie is of no further use to the browser.
        signedOut(reply);
        throw error;
      }
    },
  );

  app.post("/logout", { config: { access: "public" }, schema: hidden }, async (request, reply) => {
    // The cookie's session is the console's own; without it, the access token's session ends.
    const refreshToken = request.cookies[REFRESH_COOKIE];
    signedOut(reply);
    let principal: Principal | undefined;
    if (refreshToken) {
      const tokens = await accounts.refresh(refreshToken).catch(() => undefined);
      if (tokens) principal = await deps.authenticator.authenticate(`Bearer ${tokens.access_token}`);
    }
    principal ??= await principalOf(request).catch(() => undefined);
    if (principal) await accounts.logout(principal);
    return reply.status(204).send();
  });

  app.post(
    "/invitations/accept",
    { config: { access: "public" }, schema: { ...hidden, body: AcceptInvitationBody } },
    async (request, reply) => {
      const tokens = await accounts.acceptInvitation(request.body, await principalOf(request));
      reply.status(201);
      return signedIn(request, reply, tokens);
    },
  );
};
