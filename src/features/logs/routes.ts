import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Envelope, ListEnvelope, ok, okList } from "../../platform/envelope.js";
import type { FeatureRoutes } from "../../platform/feature.js";
import {
  DEFAULT_USAGE_DAYS,
  ListLogsQuery,
  LOG_RETENTION_DAYS,
  LogEntrySchema,
  UsageParams,
  UsageQuery,
  UsageSchema,
} from "./schemas.js";
import { createLogService } from "./service.js";

export const logRoutes: FeatureRoutes = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const logs = createLogService(deps);

  app.get(
    "/logs",
    {
      config: { access: "read:logs" },
      schema: {
        tags: ["logs"],
        operationId: "logs.list",
        summary: `The organization's request log and audit trail of the last ${LOG_RETENTION_DAYS} days, newest first`,
        description:
          "Two kinds of entries in one list. `request`: every authenticated call made for the " +
          "organization (method, path without the query string, status, duration, credential, " +
          "request id), written within about a second of the response. `audit`: who created, " +
          "changed or revoked API keys, webhooks, members, settings or the organization, written " +
          "in the same transaction as the change. Only owners and admins hold `read:logs`. " +
          "Page deep with `starting_after=<id of the last entry seen>`.",
        querystring: ListLogsQuery,
        response: { 200: ListEnvelope(LogEntrySchema) },
      },
    },
    async (request) => {
      const { items, pagination } = await logs.list(request.org, request.query);
      return okList(request, items, pagination);
    },
  );

  app.get(
    "/api-keys/:id/usage",
    {
      config: { access: "read:api-keys", liveOnly: true },
      schema: {
        tags: ["api-keys"],
        operationId: "apiKeys.usage",
        summary: "Requests and errors made with an API key, per UTC day",
        description:
          `Every day of the range (default: the last ${DEFAULT_USAGE_DAYS} days, today included), ` +
          "days without requests included, and the totals. Counted within about a second of each " +
          "response. Visible to whoever may see the key: owners and admins for every key, others " +
          "for the keys they created.",
        params: UsageParams,
        querystring: UsageQuery,
        response: { 200: Envelope(UsageSchema) },
      },
    },
    async (request) =>
      ok(request, await logs.usage(request.org, request.principal, request.params.id, request.query)),
  );
};
