import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Envelope, ListEnvelope, NoContent, ok, okList } from "../../platform/envelope.js";
import type { FeatureRoutes } from "../../platform/feature.js";
import {
  ApiKeyParams,
  ApiKeySchema,
  ApiKeyWithSecretSchema,
  CreateApiKeyBody,
  ListApiKeysQuery,
  RollApiKeyBody,
} from "./schemas.js";
import { createApiKeyService } from "./service.js";

export const apiKeyRoutes: FeatureRoutes = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const apiKeys = createApiKeyService(deps);
  const tags = ["api-keys"];

  app.post(
    "",
    {
      config: { access: "write:api-keys", liveOnly: true },
      schema: {
        tags,
        operationId: "apiKeys.create",
        summary: "Create an API key; the secret is in this response only",
        description:
          'The scopes may not exceed what the caller\'s role allows. `mode: "test"` makes a sandbox key ' +
          "(`vlt_test_…`): it acts on the organization's sandbox twin, with the same scopes and your role.",
        body: CreateApiKeyBody,
        response: { 201: Envelope(ApiKeyWithSecretSchema) },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return ok(request, await apiKeys.create(request.org, request.principal, request.body));
    },
  );

  app.get(
    "",
    {
      config: { access: "read:api-keys", liveOnly: true },
      schema: {
        tags,
        operationId: "apiKeys.list",
        summary: "List API keys, live and test (owners and admins see all, others their own), newest first",
        querystring: ListApiKeysQuery,
        response: { 200: ListEnvelope(ApiKeySchema) },
      },
    },
    async (request) => {
      const { items, pagination } = await apiKeys.list(request.org, request.principal, request.query);
      return okList(request, items, pagination);
    },
  );

  app.get(
    "/:id",
    {
      config: { access: "read:api-keys", liveOnly: true },
      schema: {
        tags,
        operationId: "apiKeys.retrieve",
        summary: "Get an API key (never its secret)",
        params: ApiKeyParams,
        response: { 200: Envelope(ApiKeySchema) },
      },
    },
    async (request) => ok(request, await apiKeys.get(request.org, request.principal, request.params.id)),
  );

  app.delete(
    "/:id",
    {
      config: { access: "delete:api-keys", liveOnly: true },
      schema: {
        tags,
        operationId: "apiKeys.delete",
        summary: "Revoke an API key at once; revoking a revoked key is a no-op",
        params: ApiKeyParams,
        response: { 204: NoContent("Revoked") },
      },
    },
    async (request, reply) => {
      await apiKeys.revoke(request.org, request.principal, request.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    "/:id/roll",
    {
      config: { access: "write:api-keys", liveOnly: true },
      schema: {
        tags,
        operationId: "apiKeys.roll",
        summary: "Issue a new secret for the key; the old one stops now or after a grace period",
        description:
          "Only the key's creator may roll it, and only with a credential that holds every scope of the key " +
          "(admins revoke others' keys instead). The body is optional: without one the old secret stops " +
          "working at once.",
        params: ApiKeyParams,
        body: RollApiKeyBody,
        response: { 200: Envelope(ApiKeyWithSecretSchema) },
      },
      // The body is optional: no body means the defaults (the old secret stops at once).
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const grace = request.body?.expires_in_seconds ?? 0;
      return ok(request, await apiKeys.roll(request.org, request.principal, request.params.id, grace));
    },
  );
};
