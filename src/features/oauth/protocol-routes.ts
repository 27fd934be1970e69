import OAuth2Server from "@node-oauth/oauth2-server";
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { acceptsHtml } from "../../platform/accepts.js";
import { ALL_SCOPES } from "../../platform/auth/scopes.js";
import { ApiError } from "../../platform/errors.js";
import type { FeatureDeps } from "../../platform/feature.js";
import { createAuthorizationService } from "./authorization-service.js";
import { createOAuthModel, createOAuthServer } from "./model.js";
import { createRevocation } from "./revocation.js";

type Form = Record<string, string>;

/** RFC 6749 §5.2's error body, which OAuth clients read (the /v1 envelope is for the API). */
function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  return reply
    .code(status)
    .header("Cache-Control", "no-store")
    .send({ error, error_description: description });
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function refusalPage(reason: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>This app's sign-in link is not valid</title></head>
<body><h1>This app's sign-in link is not valid</h1>
<p>${escapeHtml(reason)}.</p>
<p>Nothing was shared with the app. Go back to it and try again; if this keeps happening, tell the
app's makers: the link must name a registered app and one of its redirect URIs exactly.</p>
</body></html>
`;
}

/** RFC 6749 §2.3.1: HTTP Basic (each part form-urlencoded) or `client_id`/`client_secret` in the body. */
function clientCredentials(header: string | undefined, form: Form) {
  if (header?.toLowerCase().startsWith("basic ")) {
    const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return undefined;
    const part = (text: string) => decodeURIComponent(text.replaceAll("+", " "));
    try {
      return { id: part(decoded.slice(0, colon)), secret: part(decoded.slice(colon + 1)), basic: true };
    } catch {
      return undefined;
    }
  }
  return form.client_id ? { id: form.client_id, secret: form.client_secret, basic: false } : undefined;
}

/**
 * The OAuth 2.0 protocol endpoints (issue 14), outside `/v1`: they speak RFC 6749's formats
 * (form-encoded requests, `{error, error_description}` answers) that OAuth client libraries expect,
 * and are described by RFC 8414 metadata rather than by the API's OpenAPI document. The library
 * (@node-oauth/oauth2-server, through model.ts) runs the token endpoint.
 */
export const oauthProtocolRoutes: FastifyPluginAsync<Pick<FeatureDeps, "db" | "authenticator">> = async (
  app,
  deps,
) => {
  const server = createOAuthServer(deps);
  const model = createOAuthModel(deps);
  const authorization = createAuthorizationService(deps);
  const revocation = createRevocation(deps);
  // Only these routes take form bodies: everywhere else a form is a 415.
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string" },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );
  const hidden = { hide: true };

  app.get(
    "/.well-known/oauth-authorization-server",
    { config: { access: "public" }, schema: hidden },
    async (request) => {
      const issuer = `${request.protocol}://${request.host}`;
      return {
        issuer,
        authorization_endpoint: `${issuer}/oauth/authorize`,
        token_endpoint: `${issuer}/oauth/token`,
        revocation_endpoint: `${issuer}/oauth/revoke`,
        response_types_supported: ["code"],
        response_modes_supported: ["query"],
        grant_types_supported: ["authorization_code", "refresh_token"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
        revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
        scopes_supported: ALL_SCOPES,
        service_documentation: `${issuer}/docs`,
      };
    },
  );

  app.get("/oauth/authorize", { config: { access: "public" }, schema: hidden }, async (request, reply) => {
    let location: string;
    try {
      location = await authorization.begin(request.query as Record<string, string | string[] | undefined>);
    } catch (error) {
      // A person followed a broken link of an app; it cannot be sent back there (no trusted
      // redirect URI), so a browser gets the reason as a page, and a program the envelope.
      if (!(error instanceof ApiError) || !acceptsHtml(request)) throw error;
      return reply
        .code(error.status)
        .headers({ "Cache-Control": "no-store", "Content-Security-Policy": "default-src 'none'" })
        .type("text/html; charset=utf-8")
        .send(refusalPage(error.message));
    }
    return reply.header("Cache-Control", "no-store").redirect(location, 302);
  });

  app.post("/oauth/token", { config: { access: "public" }, schema: hidden }, async (request, reply) => {
    // RFC 6749 §2.3.1 form-urlencodes the id and secret inside Basic (as oauth4webapi does); the
    // library's Basic parser does not decode them, so it is handed them decoded.
    const basic = clientCredentials(request.headers.authorization, {});
    const authorization = basic
      ? `Basic ${Buffer.from(`${basic.id}:${basic.secret ?? ""}`).toString("base64")}`
      : request.headers.authorization;
    const libraryRequest = new OAuth2Server.Request({
      method: request.method,
      headers: {
        ...(request.headers as Record<string, string>),
        ...(authorization ? { authorization } : {}),
      },
      query: request.query as Form,
      body: (request.body ?? {}) as Form,
    });
    const response = new OAuth2Server.Response();
    try {
      await server.token(libraryRequest, response);
    } catch (error) {
      // A failure of ours (the database) is the API's 500/503, never its message in an OAuth error.
      const inner = (error as { inner?: unknown }).inner;
      if (error instanceof OAuth2Server.ServerError && inner) throw inner;
      if (!(error instanceof OAuth2Server.OAuthError)) throw error;
    }
    return reply
      .code(response.status ?? 200)
      .headers({ "Cache-Control": "no-store", ...response.headers })
      .send(response.body);
  });

  app.post("/oauth/revoke", { config: { access: "public" }, schema: hidden }, async (request, reply) => {
    const form = (request.body ?? {}) as Form;
    const credentials = clientCredentials(request.headers.authorization, form);
    // undefined, not null: the model asks an absent secret's app to be public (see getClient).
    const client = credentials && (await model.getClient(credentials.id, credentials.secret as string));
    if (!client) {
      if (credentials?.basic) reply.header("WWW-Authenticate", 'Basic realm="Voltasis"');
      return oauthError(reply, 401, "invalid_client", "Client authentication failed");
    }
    if (typeof form.token !== "string" || form.token === "") {
      return oauthError(reply, 400, "invalid_request", "Missing parameter: token");
    }
    await revocation.revoke(form.token, client.id);
    return reply.code(200).header("Cache-Control", "no-store").send();
  });
};
