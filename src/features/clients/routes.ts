import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Envelope, ListEnvelope, NoContent, ok, okList } from "../../platform/envelope.js";
import type { FeatureRoutes } from "../../platform/feature.js";
import {
  ClientParams,
  ClientSchema,
  CreateClientBody,
  ListClientsQuery,
  UpdateClientBody,
} from "./schemas.js";
import { createClientService } from "./service.js";

export const clientRoutes: FeatureRoutes = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const clients = createClientService(deps);
  const tags = ["clients"];

  app.get(
    "/clients",
    {
      config: { access: "read:clients" },
      schema: {
        tags,
        operationId: "clients.list",
        summary: "List clients, newest first unless sorted otherwise",
        querystring: ListClientsQuery,
        response: { 200: ListEnvelope(ClientSchema) },
      },
    },
    async (request) => {
      const { items, pagination } = await clients.list(request.org, request.query);
      return okList(request, items, pagination);
    },
  );

  app.get(
    "/clients/:id",
    {
      config: { access: "read:clients" },
      schema: {
        tags,
        operationId: "clients.retrieve",
        summary: "Get a client",
        params: ClientParams,
        response: { 200: Envelope(ClientSchema) },
      },
    },
    async (request) => ok(request, await clients.get(request.org, request.params.id)),
  );

  app.post(
    "/clients",
    {
      config: { access: "write:clients" },
      schema: {
        tags,
        operationId: "clients.create",
        summary: "Create a client",
        description: "The name must be unique in the organization, ignoring case (409 `duplicate_name`).",
        body: CreateClientBody,
        response: { 201: Envelope(ClientSchema) },
      },
    },
    async (request, reply) => {
      const client = await clients.create(request.org, request.principal, request.body);
      reply.status(201);
      return ok(request, client);
    },
  );

  // PUT takes a partial body as PATCH does: the reference docs update with PUT and only the changes.
  app.route({
    method: ["PUT", "PATCH"],
    url: "/clients/:id",
    config: { access: "write:clients" },
    schema: {
      tags,
      operationId: "clients.update",
      summary: "Update a client: only the fields given change",
      params: ClientParams,
      body: UpdateClientBody,
      response: { 200: Envelope(ClientSchema) },
    },
    handler: async (request) =>
      ok(request, await clients.update(request.org, request.principal, request.params.id, request.body)),
  });

  app.delete(
    "/clients/:id",
    {
      config: { access: "delete:clients" },
      schema: {
        tags,
        operationId: "clients.delete",
        summary: "Delete a client that no project belongs to",
        description: "A client with projects is a 409 `in_use`; archive it instead (`status: archived`).",
        params: ClientParams,
        response: { 204: NoContent("Deleted") },
      },
    },
    async (request, reply) => {
      await clients.remove(request.org, request.principal, request.params.id);
      return reply.status(204).send();
    },
  );
};
