import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Envelope, ListEnvelope, NoContent, ok, okList } from "../../platform/envelope.js";
import type { FeatureRoutes } from "../../platform/feature.js";
import {
  CreateWebhookBody,
  DeliveryParams,
  DeliverySchema,
  ListDeliveriesQuery,
  ListWebhooksQuery,
  UpdateWebhookBody,
  WebhookParams,
  WebhookSchema,
  WebhookWithSecretSchema,
} from "./schemas.js";
import { createWebhookService } from "./service.js";

export const webhookRoutes: FeatureRoutes = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const webhooks = createWebhookService(deps);
  const tags = ["webhooks"];

  app.get(
    "/webhooks",
    {
      config: { access: "read:webhooks" },
      schema: {
        tags,
        operationId: "webhooks.list",
        summary: "List webhooks, newest first unless sorted otherwise",
        description: "Secrets are never listed.",
        querystring: ListWebhooksQuery,
        response: { 200: ListEnvelope(WebhookSchema) },
      },
    },
    async (request) => {
      const { items, pagination } = await webhooks.list(request.org, request.query);
      return okList(request, items, pagination);
    },
  );

  app.get(
    "/webhooks/:id",
    {
      config: { access: "read:webhooks" },
      schema: {
        tags,
        operationId: "webhooks.retrieve",
        summary: "Get a webhook",
        params: WebhookParams,
        response: { 200: Envelope(WebhookSchema) },
      },
    },
    async (request) => ok(request, await webhooks.get(request.org, request.params.id)),
  );

  app.post(
    "/webhooks",
    {
      config: { access: "write:webhooks" },
      schema: {
        tags,
        operationId: "webhooks.create",
        summary: "Subscribe an endpoint to events",
        description:
          "The answer holds the signing `secret` (`whsec_…`), shown only this once. Unknown event names " +
          "are a 400 on `events`; a URL resolving to a private, loopback, link-local or metadata address " +
          "is a 400 on `url` unless the server allows private addresses.",
        body: CreateWebhookBody,
        response: { 201: Envelope(WebhookWithSecretSchema) },
      },
    },
    async (request, reply) => {
      const webhook = await webhooks.create(request.org, request.principal, request.body);
      reply.status(201);
      return ok(request, webhook);
    },
  );

  app.route({
    method: ["PUT", "PATCH"],
    url: "/webhooks/:id",
    config: { access: "write:webhooks" },
    schema: {
      tags,
      operationId: "webhooks.update",
      summary: "Update a webhook: only the fields given change",
      description:
        "`enabled: false` gives up the deliveries still queued (status `failed`; redeliver them by hand). " +
        "`enabled: true` also clears the failing state of a webhook disabled for failing.",
      params: WebhookParams,
      body: UpdateWebhookBody,
      response: { 200: Envelope(WebhookSchema) },
    },
    handler: async (request) =>
      ok(request, await webhooks.update(request.org, request.principal, request.params.id, request.body)),
  });

  app.delete(
    "/webhooks/:id",
    {
      config: { access: "delete:webhooks" },
      schema: {
        tags,
        operationId: "webhooks.delete",
        summary: "Delete a webhook and its delivery history",
        params: WebhookParams,
        response: { 204: NoContent("Deleted") },
      },
    },
    async (request, reply) => {
      await webhooks.remove(request.org, request.principal, request.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    "/webhooks/:id/rotate-secret",
    {
      config: { access: "write:webhooks" },
      schema: {
        tags,
        operationId: "webhooks.rotateSecret",
        summary: "Replace the signing secret",
        description:
          "The new `secret` is shown only in this answer. For 24 h deliveries carry a `webhook-signature` " +
          "for the previous secret too, so receivers can switch without losing a delivery; `X-Signature` " +
          "uses the new secret at once.",
        params: WebhookParams,
        response: { 200: Envelope(WebhookWithSecretSchema) },
      },
    },
    async (request) =>
      ok(request, await webhooks.rotateSecret(request.org, request.principal, request.params.id)),
  );

  app.post(
    "/webhooks/:id/test",
    {
      config: { access: "write:webhooks" },
      schema: {
        tags,
        operationId: "webhooks.test",
        summary: "Send a test event (ping) to the endpoint",
        description:
          "Queues a `webhook.test` delivery to this webhook only and answers 202 with it at once; follow " +
          "it in the deliveries list. A disabled webhook is a 409 `webhook_disabled`.",
        params: WebhookParams,
        response: { 202: Envelope(DeliverySchema) },
      },
    },
    async (request, reply) => {
      const delivery = await webhooks.sendTest(request.org, request.params.id);
      reply.status(202);
      return ok(request, delivery);
    },
  );

  app.get(
    "/webhooks/:id/deliveries",
    {
      config: { access: "read:webhooks" },
      schema: {
        tags,
        operationId: "webhooks.deliveries.list",
        summary: "List the webhook's deliveries with every attempt, newest first",
        description: "Page deep with `starting_after=<id of the last delivery seen>`.",
        params: WebhookParams,
        querystring: ListDeliveriesQuery,
        response: { 200: ListEnvelope(DeliverySchema) },
      },
    },
    async (request) => {
      const { items, pagination } = await webhooks.listDeliveries(
        request.org,
        request.params.id,
        request.query,
      );
      return okList(request, items, pagination);
    },
  );

  app.get(
    "/webhooks/:id/deliveries/:delivery_id",
    {
      config: { access: "read:webhooks" },
      schema: {
        tags,
        operationId: "webhooks.deliveries.retrieve",
        summary: "Get a delivery with every attempt",
        params: DeliveryParams,
        response: { 200: Envelope(DeliverySchema) },
      },
    },
    async (request) =>
      ok(request, await webhooks.getDelivery(request.org, request.params.id, request.params.delivery_id)),
  );

  app.post(
    "/webhooks/:id/deliveries/:delivery_id/redeliver",
    {
      config: { access: "write:webhooks" },
      schema: {
        tags,
        operationId: "webhooks.deliveries.redeliver",
        summary: "Send a delivery again",
        description:
          "Queues a new delivery of the same body with the same `webhook-id`, sent now, and answers 202 " +
          "with it. A disabled webhook is a 409 `webhook_disabled`.",
        params: DeliveryParams,
        response: { 202: Envelope(DeliverySchema) },
      },
    },
    async (request, reply) => {
      const delivery = await webhooks.redeliver(request.org, request.params.id, request.params.delivery_id);
      reply.status(202);
      return ok(request, delivery);
    },
  );
};
