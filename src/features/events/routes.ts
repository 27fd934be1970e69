import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Envelope, ListEnvelope, ok, okList } from "../../platform/envelope.js";
import type { FeatureRoutes } from "../../platform/feature.js";
import { EVENT_RETENTION_DAYS, EventParams, EventSchema, ListEventsQuery } from "./schemas.js";
import { createEventService } from "./service.js";

export const eventRoutes: FeatureRoutes = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const events = createEventService(deps);
  const tags = ["events"];

  app.get(
    "/events",
    {
      config: { access: "read:events" },
      schema: {
        tags,
        summary: `List the domain events of the last ${EVENT_RETENTION_DAYS} days, newest first`,
        description:
          "Every create, update and delete writes one event in the same transaction as the change. " +
          "Only events about resources the credential may read are listed (a manager sees no webhook " +
          "events, nor other people's API keys). Page deep with `starting_after=<id of the last event seen>`.",
        querystring: ListEventsQuery,
        response: { 200: ListEnvelope(EventSchema) },
      },
    },
    async (request) => {
      const { items, pagination } = await events.list(request.org, request.principal, request.query);
      return okList(request, items, pagination);
    },
  );

  app.get(
    "/events/:id",
    {
      config: { access: "read:events" },
      schema: {
        tags,
        summary: "Get an event",
        description: `Events older than ${EVENT_RETENTION_DAYS} days are a 404.`,
        params: EventParams,
        response: { 200: Envelope(EventSchema) },
      },
    },
    async (request) => ok(request, await events.get(request.org, request.principal, request.params.id)),
  );
};
