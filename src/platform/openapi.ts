import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { describeScope } from "./auth/scope-words.js";
import { ALL_SCOPES } from "./auth/scopes.js";
import { shapeDocument } from "./openapi-document.js";
import { API_VERSIONS, type ApiVersion, BETA_VERSIONS, STABLE_VERSION, versionOf } from "./versions.js";

declare module "fastify" {
  interface FastifyInstance {
    /** The OpenAPI document of one API version, as served at `/<version>/openapi.json`. */
    openapiDocument(version: ApiVersion): unknown;
  }
}

/**
 * How a third-party app obtains a Bearer token (features/oauth): authorization code with PKCE
 * (S256), described here so that the reference names the endpoints and every scope in words. The
 * token is then sent as `bearerAuth`; the endpoints themselves speak RFC 6749 and are listed by
 * the RFC 8414 metadata at `/.well-known/oauth-authorization-server`.
 */
const OAUTH2_SCHEME = {
  type: "oauth2" as const,
  description:
    "Third-party apps: authorization code with PKCE (S256 only), a person's consent on the console, " +
    "tokens that act as that person in one organization, never beyond their role. Metadata (RFC 8414): " +
    "`/.well-known/oauth-authorization-server`; revocation (RFC 7009): `POST /oauth/revoke`.",
  flows: {
    authorizationCode: {
      authorizationUrl: "/oauth/authorize",
      tokenUrl: "/oauth/token",
      refreshUrl: "/oauth/token",
      scopes: Object.fromEntries(ALL_SCOPES.map((scope) => [scope, describeScope(scope)])),
    },
  },
};

// The stable version keeps @fastify/swagger's own name: @fastify/swagger-ui's /docs/json reads it.
const decoratorOf = (version: ApiVersion) => (version === STABLE_VERSION ? "swagger" : `openapi_${version}`);

/**
 * OpenAPI 3.1 generated from the route schemas that also validate and serialize (SPEC §8), one
 * document per API version: each @fastify/swagger instance sees every route and hides those of
 * other versions (the unversioned `/health` and `/ready` appear in each).
 */
export const openApiPlugin = fp(
  async (app: FastifyInstance) => {
    for (const version of API_VERSIONS) {
      const beta = BETA_VERSIONS.has(version);
      await app.register(swagger, {
        decorator: decoratorOf(version),
        openapi: {
          openapi: "3.1.0",
          info: {
            title: `Voltasis API ${version}${beta ? " (beta)" : ""}`,
            version: beta ? `${version.slice(1)}.0.0-beta` : `${version.slice(1)}.0.0`,
            license: { name: "Proprietary" },
            description:
              "Time tracking and project management as an API. Authenticate with `Authorization: Bearer <API key or access token>`. " +
              "Every response carries `X-Request-ID` and `X-API-Version`; errors use the envelope `{error: {code, message, details}, metadata}`." +
              (beta
                ? " This version is a beta: it may still change. Its lists page by cursor only (`cursor` in, `next_cursor` out)."
                : ""),
          },
          servers: [{ url: "/" }],
          components: {
            securitySchemes: {
              bearerAuth: {
                type: "http",
                scheme: "bearer",
                description:
                  "An API key (`vlt_live_…`), a user access token (`vlt_at_…`) or an app's OAuth access token (`vlt_oat_…`, see `oauth2`)",
              },
              oauth2: OAUTH2_SCHEME,
            },
          },
        },
        transform: ({ schema, url }) => {
          const routeVersion = versionOf(url);
          const hide = routeVersion !== undefined && routeVersion !== version;
          return { schema: hide ? { ...schema, hide: true } : schema, url };
        },
        // Name components after the schemas' $id instead of def-0, def-1, …
        refResolver: {
          buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`),
        },
        transformObject: (documents) =>
          shapeDocument((documents as { openapiObject: Record<string, unknown> }).openapiObject) as never,
      });
      app.get(
        `/${version}/openapi.json`,
        { config: { access: "public" }, schema: { hide: true } },
        async () => app.openapiDocument(version),
      );
    }
    app.decorate("openapiDocument", function (this: FastifyInstance, version: ApiVersion) {
      return (this as unknown as Record<string, () => unknown>)[decoratorOf(version)]?.();
    });
    await app.register(swaggerUi, {
      routePrefix: "/docs",
      uiConfig: {
        deepLinking: true,
        urls: API_VERSIONS.map((version) => ({
          url: `/${version}/openapi.json`,
          name: `${version}${BETA_VERSIONS.has(version) ? " (beta)" : ""}`,
        })),
      },
      theme: { title: "Voltasis API reference" },
    });
  },
  { name: "openapi" },
);
