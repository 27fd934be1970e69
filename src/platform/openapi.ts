import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { shapeDocument } from "./openapi-document.js";
import { API_VERSIONS, type ApiVersion, BETA_VERSIONS, STABLE_VERSION, versionOf } from "./versions.js";

declare module "fastify" {
  interface FastifyInstance {
    /** The OpenAPI document of one API version, as served at `/<version>/openapi.json`. */
    openapiDocument(version: ApiVersion): unknown;
  }
}

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
                description: "An API key (`vlt_live_…`) or a user access token (`vlt_at_…`)",
              },
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
