import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Envelope, ListEnvelope, NoContent, ok, okList } from "../../platform/envelope.js";
import type { FeatureRoutes } from "../../platform/feature.js";
import { ListTagsQuery, TagBody, TagParams, TagSchema } from "./schemas.js";
import { createTagService } from "./service.js";

export const tagRoutes: FeatureRoutes = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tagService = createTagService(deps);
  const openApiTags = ["tags"];

  app.get(
    "/tags",
    {
      config: { access: "read:tags" },
      schema: {
        tags: openApiTags,
        operationId: "tags.list",
        summary: "List tags, newest first unless sorted otherwise",
        querystring: ListTagsQuery,
        response: { 200: ListEnvelope(TagSchema) },
      },
    },
    async (request) => {
      const { items, pagination } = await tagService.list(request.org, request.query);
      return okList(request, items, pagination);
    },
  );

  app.get(
    "/tags/:id",
    {
      config: { access: "read:tags" },
      schema: {
        tags: openApiTags,
        operationId: "tags.retrieve",
        summary: "Get a tag",
        params: TagParams,
        response: { 200: Envelope(TagSchema) },
      },
    },
    async (request) => ok(request, await tagService.get(request.org, request.params.id)),
  );

  app.post(
    "/tags",
    {
      config: { access: "write:tags" },
      schema: {
        tags: openApiTags,
        operationId: "tags.create",
        summary: "Create a tag",
        description: "The name must be unique in the organization, ignoring case (409 `duplicate_name`).",
        body: TagBody,
        response: { 201: Envelope(TagSchema) },
      },
    },
    async (request, reply) => {
      const tag = await tagService.create(request.org, request.principal, request.body);
      reply.status(201);
      return ok(request, tag);
    },
  );

  // PUT takes a partial body as PATCH does: the reference docs update with PUT and only the changes.
  app.route({
    method: ["PUT", "PATCH"],
    url: "/tags/:id",
    config: { access: "write:tags" },
    schema: {
      tags: openApiTags,
      operationId: "tags.update",
      summary: "Rename a tag",
      params: TagParams,
      body: TagBody,
      response: { 200: Envelope(TagSchema) },
    },
    handler: async (request) =>
      ok(request, await tagService.rename(request.org, request.principal, request.params.id, request.body)),
  });

  app.delete(
    "/tags/:id",
    {
      config: { access: "delete:tags" },
      schema: {
        tags: openApiTags,
        operationId: "tags.delete",
        summary: "Delete a tag; the time entries that carried it keep everything else",
        params: TagParams,
        response: { 204: NoContent("Deleted") },
      },
    },
    async (request, reply) => {
      await tagService.remove(request.org, request.principal, request.params.id);
      return reply.status(204).send();
    },
  );
};
