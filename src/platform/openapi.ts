import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { shapeDocument } from "./openapi-document.js";

/** OpenAPI 3.1 generated from the route schemas that also validate and serialize (SPEC §8). */
export const openApiPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        openapi: "3.1.0",
        info: {
          title: "Voltasis API",
          version: "1.0.0",
          license: { name: "Proprietary" },
          description:
            "Time tracking and project management as an API. Authenticate with `Authorization: Bearer <API key or access token>`. " +
            "Every response carries `X-Request-ID`; errors use the envelope `{error: {code, message, details}, metadata}`.",
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
      // Name components after the schemas' $id instead of def-0, def-1, …
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
      transformObject: (documents) =>
        shapeDocument((documents as { openapiObject: Record<string, unknown> }).openapiObject) as never,
    });
    await app.register(swaggerUi, {
      routePrefix: "/docs",
      uiConfig: { deepLinking: true },
      theme: { title: "Voltasis API reference" },
    });
    app.get("/v1/openapi.json", { config: { access: "public" }, schema: { hide: true } }, async () =>
      app.swagger(),
    );
  },
  { name: "openapi" },
);
